from django.urls import path, re_path

from .api import api, unknown_address

urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown_address),
]
