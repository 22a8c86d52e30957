from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "convenor.schools"
    label = "schools"
