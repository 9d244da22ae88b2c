from django.urls import path

from . import views

# Unnamespaced: "search" is reversed across the site (robots.txt, the site's JSON-LD).
urlpatterns = [
    path("", views.search, name="search"),
    path("live/", views.live, name="search_live"),
]
