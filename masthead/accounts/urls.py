"""Reader account URLs: allauth's flows plus the account page allauth lacks."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="account_profile"),
    path("", include("allauth.urls")),
]
