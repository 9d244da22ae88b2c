from django import template

from masthead.pagecache import keys

register = template.Library()


@register.simple_tag(takes_context=True)
def surrogate_key(context, *pages) -> str:
    """Note that this rendering shows these pages, so editing one purges it. Renders nothing."""
    request = context.get("request")
    if request is not None:
        keys.add(request, *(keys.page(page) for page in pages if page))
    return ""
