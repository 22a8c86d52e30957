"""Partnership pages: structures, meetings, connectedness, impact and credits."""

from django.urls import URLPattern

app_name = "partnerships"

urlpatterns: list[URLPattern] = []
