from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command

from masthead.core.models import MenuItem, SiteSettings


def test_copyright_years_run_from_founding_to_this_year():
    site_settings = SiteSettings(founding_year=1970)
    assert site_settings.copyright_years(2026) == "1970-2026"
    assert SiteSettings(founding_year=2026).copyright_years(2026) == "2026"


def test_names_per_edition_fall_back_to_english():
    site_settings = SiteSettings(paper_name="Iran Times", paper_name_fa="ایران تایمز")
    assert site_settings.name_for("fa") == "ایران تایمز"
    assert site_settings.name_for("en") == "Iran Times"
    assert SiteSettings(paper_name="Iran Times").name_for("fa") == "Iran Times"


def test_menu_item_needs_a_page_or_an_address_and_a_label():
    with pytest.raises(ValidationError):
        MenuItem(label="Nowhere").clean()
    with pytest.raises(ValidationError):
        MenuItem(link_url="https://example.org").clean()
    MenuItem(link_url="https://example.org", label="Example").clean()


@pytest.mark.django_db
def test_ensure_admin_creates_once_and_honours_the_environment(monkeypatch, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    password = (tmp_path / "admin-credentials.txt").read_text().splitlines()[1]
    assert f"password {password}" in out.getvalue()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)

    call_command("ensure_admin", stdout=StringIO())
    assert get_user_model().objects.count() == 1

    monkeypatch.setenv("MASTHEAD_ADMIN_PASSWORD", "a-new-long-passphrase")
    call_command("ensure_admin", stdout=StringIO())
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")


@pytest.mark.django_db
def test_health_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "page_cache": "ok"}


def test_favicon_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
