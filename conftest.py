import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_report_header(config):
    if shutil.which("chromium") is None:
        return (
            "NOTICE: Chromium is not installed, so the browser tests are SKIPPED. "
            "Install it with `apt-get install -y chromium` to run them."
        )
    return f"browser tests: {CHROMIUM}"
