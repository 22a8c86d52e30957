from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "convenor.demo"
    label = "demo"
