"""The archive's addresses; the numbers are the edition's calendar (Solar Hijri under /fa/)."""

from django.urls import path, re_path

from . import views

app_name = "archive"

YEAR = r"(?P<year>[0-9]{4})"
MONTH = r"(?P<month>0[1-9]|1[0-2])"
DAY = r"(?P<day>0[1-9]|[12][0-9]|3[01])"

urlpatterns = [
    path("", views.archive_index, name="index"),
    path("issues/", views.issue_index, name="issues"),
    re_path(rf"^issues/{YEAR}/$", views.issue_year, name="issue_year"),
    re_path(rf"^issues/{YEAR}/(?P<number>[1-9][0-9]{{0,5}})/$", views.issue_detail, name="issue"),
    path("issues/<int:issue_id>/pdf/", views.issue_pdf, name="issue_pdf"),
    re_path(rf"^{YEAR}/$", views.archive_year, name="year"),
    re_path(rf"^{YEAR}/{MONTH}/$", views.archive_month, name="month"),
    re_path(rf"^{YEAR}/{MONTH}/{DAY}/$", views.archive_day, name="day"),
]
