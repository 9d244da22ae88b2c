from django import template
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from masthead.content.models import AuthorPage, HomePage, SectionPage
from masthead.feeds.syndication import feed_title, section_feed_path

register = template.Library()


@register.inclusion_tag("tags/feed_links.html", takes_context=True)
def feed_links(context):
    """Link the edition's feeds, and the feed of the section, author or tag being shown."""
    request = context.get("request")
    page = context.get("page")
    site_settings = context.get("site_settings")
    paper = site_settings.name_for(translation.get_language()) if site_settings else ""
    feeds = [(feed_title(paper), "feed", {})]
    if isinstance(page, SectionPage):
        feeds.append(
            (
                feed_title(paper, page.title),
                "section-feed",
                {"section_path": section_feed_path(page)},
            )
        )
    elif isinstance(page, AuthorPage):
        feeds.append((feed_title(paper, page.title), "author-feed", {"slug": page.slug}))
    elif isinstance(page, HomePage) and context.get("tag"):
        subject = translation.gettext("Tagged “%(tag)s”") % {"tag": context["tag"]}
        feeds.append((feed_title(paper, subject), "tag-feed", {"tag": context["tag"]}))
    site = Site.find_for_request(request)
    origin = site.root_url if site else ""  # the address canonical links use
    links = []
    for title, name, kwargs in feeds:
        for label, kind, suffix in (("RSS", "rss", ""), ("Atom", "atom", "-atom")):
            url = reverse(name + suffix, kwargs=kwargs)
            links.append(
                {
                    "title": f"{title} ({label})",
                    "type": f"application/{kind}+xml",
                    "url": f"{origin}{url}",
                }
            )
    return {"links": links}
