"""Debian's Chromium as the browser tests and the screenshot script launch it."""

import shutil

CHROMIUM = shutil.which("chromium")
# Headless, and never reaching out: this machine's network is closed to Chromium's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """Start Debian's Chromium (never a downloaded browser) through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
