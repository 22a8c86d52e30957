from django.urls import path

from convenor.core import views

app_name = "core"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("health/", views.health, name="health"),
]
