from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "convenor.intelligence"
    label = "intelligence"
