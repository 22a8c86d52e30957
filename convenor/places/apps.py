from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "convenor.places"
    label = "places"
