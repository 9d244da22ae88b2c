"""Reader account URLs: allauth's flows plus the account pages allauth lacks."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="account_profile"),
    path("profile/export/", views.ExportDataView.as_view(), name="account_export"),
    path("profile/delete/", views.DeleteAccountView.as_view(), name="account_delete"),
    path("", include("allauth.urls")),
]
