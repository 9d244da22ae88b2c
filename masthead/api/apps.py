from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "masthead.api"
    label = "masthead_api"
    verbose_name = "Read-only API"
