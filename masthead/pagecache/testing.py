"""Django's test client with the page cache in front, as masthead/wsgi.py puts it.

`CachedClient` sends each request through the same `lookup`, `hit_response` and `offer`
the WSGI wrapper uses, so tests see hits, 304s and stored copies, and still get the test
client's cookies, templates and context on a miss.
"""

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import Client

from . import wsgi


class CachedHandler:
    def __init__(self, handler):
        self.handler = handler

    def __call__(self, environ):
        entitlement, page = wsgi.lookup(environ)
        if page is not None:
            status, headers, body = wsgi.hit_response(environ, page)
            response = HttpResponse(body, status=int(status.split(" ", 1)[0]))
            for name, value in headers:
                response[name] = value
            response.wsgi_request = WSGIRequest(environ)
            return response
        response = self.handler(environ)
        if entitlement is None:
            response["X-Page-Cache"] = "BYPASS"
            return response
        shared = dict(wsgi.shared_headers(environ, list(response.items())))
        for name in ("Vary", "Last-Modified"):
            if name in shared:
                response[name] = shared[name]
            elif response.has_header(name):
                del response[name]
        headers = list(response.items())
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.streaming:
            response.streaming_content = [body]
        wsgi.offer(environ, response.status_code, headers, body)
        response["X-Page-Cache"] = "MISS"
        return response


class CachedClient(Client):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handler = CachedHandler(self.handler)
