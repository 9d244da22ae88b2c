from wagtail import hooks

from . import keys


@hooks.register("before_serve_page")
def mark_page_shown(page, request, serve_args, serve_kwargs):
    """A page served shows itself and its own lists; its listings add the cards they show."""
    keys.add(request, keys.page(page), keys.listing(page))
