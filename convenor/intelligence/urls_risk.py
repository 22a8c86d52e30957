"""The risk dashboard and a school's intelligence timeline."""

from django.urls import path

from convenor.intelligence import views_risk, views_timeline

app_name = "risk"

urlpatterns = [
    path("intelligence/risk/", views_risk.dashboard, name="dashboard"),
    path("intelligence/risk/export.csv", views_risk.dashboard_csv, name="csv"),
    path("schools/<int:urn>/timeline/", views_timeline.school_timeline, name="timeline"),
]
