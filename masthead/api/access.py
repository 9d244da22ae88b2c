"""Who may read an article's body through the API, until the paywall decides per reader."""

from masthead.content.models import ArticlePage


def may_show_full_text(article: ArticlePage) -> bool:
    """Return whether the API may print the article's body; the paywall issue replaces this.

    Until the paywall issue supplies its decision function (`subscriptions/access.py`),
    every channel follows one rule: only public articles expose their body.
    """
    return not article.is_premium
