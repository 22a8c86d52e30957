"""URL map."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("convenor.core.urls")),
    path("", include("convenor.schools.urls")),
]
