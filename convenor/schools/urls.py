from django.urls import path

from convenor.schools import views

app_name = "schools"

urlpatterns = [
    path("", views.register, name="register"),
]
