from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Page

from masthead.content.navigation import (
    active_locale,
    build_menu,
    edition_home_url,
    live_translations,
)

register = template.Library()


@register.inclusion_tag("tags/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    return {
        "links": build_menu("main", active_locale(request), request, with_mega=True),
        "request": request,
    }


@register.inclusion_tag("tags/link_list.html", takes_context=True)
def link_menu(context, slot, css_class=""):
    request = context.get("request")
    return {"links": build_menu(slot, active_locale(request), request), "css_class": css_class}


@register.simple_tag
def edition_home(language=None):
    return edition_home_url(language or translation.get_language())


@register.inclusion_tag("tags/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Link each other edition: to this page's translation, else to that edition's home."""
    return {"editions": other_editions(context)}


@register.inclusion_tag("tags/hreflang_links.html", takes_context=True)
def hreflang_links(context):
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page):
        return {"alternates": []}
    translations = live_translations(page, context.get("chrome_version")) if page.pk else {}
    if len(translations) < 2:
        return {"alternates": []}
    return {"alternates": [(code, p.get_full_url(request)) for code, p in translations.items()]}


def other_editions(context) -> list[dict]:
    """Link each other edition: a page's translation, the same view (such as search) in
    that language, or else that edition's front page."""
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    is_page = isinstance(page, Page) and page.pk
    translations = live_translations(page, context.get("chrome_version")) if is_page else {}
    editions = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        if code in translations:
            url = translations[code].get_url(request)
        elif not is_page and request is not None and not context.get("is_error_page"):
            url = translate_url(request.get_full_path(), code)
        else:
            url = edition_home_url(code)
        with translation.override(code):
            label = translation.get_language_info(code)["name_local"]
        editions.append(
            {"code": code, "label": label, "url": url, "is_translation": code in translations}
        )
    return editions
