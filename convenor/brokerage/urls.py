"""Brokerage pages: the support directory, requests, the brokerage board and plans."""

from django.urls import URLPattern

app_name = "brokerage"

urlpatterns: list[URLPattern] = []
