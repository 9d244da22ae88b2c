def shared_render(request):
    """In a page rendered for a whole class, no CSRF token: reader.js adds the reader's own."""
    entitlement = getattr(request, "entitlement", None)
    if entitlement is None:
        return {}
    # An empty token makes {% csrf_token %} render nothing and set no token cookie. (Django's
    # "NOTPROVIDED" marker cannot be used: Django 6.1 fails to render it.)
    return {"csrf_token": "", "entitlement": entitlement}
