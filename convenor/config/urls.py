"""URL map."""

from django.contrib import admin
from django.urls import include, path

from convenor.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("convenor.core.urls")),
    path("", include("convenor.schools.urls")),
    path("", include("convenor.intelligence.urls")),
    path("", include("convenor.intelligence.urls_interventions")),
    path("", include("convenor.intelligence.urls_categorisation")),
    path("", include("convenor.intelligence.urls_risk")),
    path("", include("convenor.brokerage.urls")),
    path("", include("convenor.brokerage.urls_partnerships")),
]
