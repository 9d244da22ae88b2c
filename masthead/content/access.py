"""The one rule every channel asks before it shows an article's body.

Until the paywall issue supplies its decision (`subscriptions/access.py`, which will take
the reader too), an article that is not public never shows its body to anyone outside the
page itself: headline, standfirst, dates, authors, section and picture only.

Channels that ask it today, so that none is forgotten when the decision replaces it:
- feeds (`feeds/syndication.py`): full text in RSS and Atom items;
- structured data and previews (`feeds/structured_data.py`): descriptions, isAccessibleForFree;
- the API (`api/representations.py`): `body_html` of an article.
"""

from .models import ArticlePage


def may_show_full_text(article: ArticlePage) -> bool:
    """Return whether a channel may show the article's body to everyone."""
    return not article.is_premium
