from django.urls import path

from . import views

app_name = "pagecache"
urlpatterns = [path("state/", views.reader_state, name="reader_state")]
