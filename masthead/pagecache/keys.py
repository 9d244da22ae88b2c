"""Surrogate keys: the names of what a page shows, so an edit purges exactly its pages.

- `page-<id>`: a page, and every page that shows it (its card in a listing, its byline);
- `list-<id>`: a page's own lists of the pages below it (a section's articles, an author's);
- `chrome-<language>`: the header, menus, mega-menus and footer of an edition's pages;
- `latest-<language>`: lists of an edition's newest articles (front page, feeds, archive);
- `site`: every page (paywall settings, the site's name).
A rendering adds keys to its request with `add(request, ...)`; the middleware sends them.
"""


def add(request, *keys: str) -> None:
    collected = getattr(request, "surrogate_keys", None)
    if collected is not None:
        collected.update(keys)


def page(page_or_id) -> str:
    return f"page-{getattr(page_or_id, 'pk', page_or_id)}"


def listing(page_or_id) -> str:
    return f"list-{getattr(page_or_id, 'pk', page_or_id)}"


def chrome(language: str) -> str:
    return f"chrome-{language}"


def latest(language: str) -> str:
    return f"latest-{language}"


SITE = "site"
