# Masthead: `make run` serves the demo paper, `make test` runs the whole suite.
# Everything below installs what it needs by itself; see README.md.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist: one test process per core (TEST_WORKERS=0 runs them in this process).
TEST_WORKERS ?= auto
export DJANGO_SETTINGS_MODULE ?= masthead.settings.dev

.PHONY: run test test-browser lint format check-migrations install lock demo admin screenshots bench clean

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py ensure_admin
	$(PY) manage.py ensure_demo_readers
	@echo "Serving the demo paper on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	DJANGO_SETTINGS_MODULE=masthead.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=masthead.settings.test $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-browser: install
	DJANGO_SETTINGS_MODULE=masthead.settings.test $(PY) -m pytest tests/browser $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(STAMP)

$(STAMP): requirements.lock
	@test -x $(PY) || { interpreter=$$(bin/find-python) && echo "Creating $(VENV) with $$interpreter" && "$$interpreter" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

# Regenerate requirements.lock from pyproject.toml (needs network access to PyPI).
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 \
		--generate-hashes --quiet -o requirements.lock

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

admin: install
	$(PY) manage.py ensure_admin
	$(PY) manage.py ensure_demo_readers

# Retake docs/screenshots/ from a fresh demo paper served on a spare port.
SHOTS_VAR := var/screenshots
SHOTS_PORT ?= 8765
screenshots: install
	rm -rf $(SHOTS_VAR)
	MASTHEAD_VAR_DIR=$(SHOTS_VAR) $(PY) manage.py migrate --noinput -v0
	MASTHEAD_VAR_DIR=$(SHOTS_VAR) $(PY) manage.py load_demo
	MASTHEAD_VAR_DIR=$(SHOTS_VAR) $(PY) manage.py runserver 127.0.0.1:$(SHOTS_PORT) --noreload \
	  >$(SHOTS_VAR)/server.log 2>&1 & \
	  server=$$!; trap "kill $$server" EXIT; \
	  for i in $$(seq 50); do curl -sf -o /dev/null http://127.0.0.1:$(SHOTS_PORT)/ && break; sleep 0.2; done; \
	  $(PY) bin/take_screenshots.py http://127.0.0.1:$(SHOTS_PORT) docs/screenshots

# The HTTP benchmark of issue #8 (bench/http_load.py): nginx's static limit, the page cache
# behind granian, Varnish, an uncached render; loopback only. var/bench-http/ is filled once
# (100,000 articles) and reused. Needs Redis on 127.0.0.1:6379.
bench: install
	@command -v wrk >/dev/null && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null \
	  && { command -v varnishd || test -x /usr/sbin/varnishd; } >/dev/null \
	  || $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq nginx wrk varnish varnish-modules
	$(PY) bench/http_load.py

# Each page fetched in-process through Django's test client: time, queries, weight.
.PHONY: bench-pages
bench-pages: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py ensure_demo_readers
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) var/static

# Search latency at newspaper scale: fills var/bench-search (or DATABASE_URL's database)
# with BENCH_ARTICLES articles (100000 by default), indexes them, prints p50/p95.
.PHONY: bench-search
bench-search: install
	MASTHEAD_VAR_DIR=$${MASTHEAD_VAR_DIR:-var/bench-search} $(PY) bench/search.py

# The WordPress import at archive scale: writes a WXR export of BENCH_POSTS posts (100000
# by default) under var/bench-import, imports it into a fresh SQLite database there and
# prints articles per second, peak memory and the file's size.
.PHONY: bench-import
bench-import: install
	BENCH_POSTS=$${BENCH_POSTS:-100000} $(PY) bench/import_wxr.py
