"""Retake docs/screenshots/ from a running demo paper: `make screenshots` starts one.

Usage: take_screenshots.py BASE_URL OUTPUT_DIR
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser.chromium import CHROMIUM, launch  # noqa: E402

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 375, "height": 740}}


def article_url(page, base_url: str, edition: str) -> str:
    """Follow the front page's lead story, so the shots need no knowledge of the demo's slugs."""
    page.goto(f"{base_url}{'/fa/' if edition == 'fa' else '/'}")
    return page.locator(".card--lead .card__headline a").first.get_attribute("href")


def main(base_url: str, output: Path) -> None:
    if CHROMIUM is None:
        sys.exit("Chromium is not installed: apt-get install -y chromium")
    output.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for device, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, is_mobile=device == "mobile")
            page = context.new_page()
            for edition in ("en", "fa"):
                home = f"{base_url}{'/fa/' if edition == 'fa' else '/'}"
                article = article_url(page, base_url, edition)
                for kind, url in (("home", home), ("article", base_url + article)):
                    page.goto(url)
                    path = output / f"{kind}-{edition}-{device}.png"
                    page.screenshot(path=str(path), full_page=device == "mobile")
                    print(f"{path}  ({url})")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
