"""Routes of intervention casework (docs/how-to/interventions.md)."""

from django.urls import path

from convenor.intelligence import views_interventions as views

app_name = "interventions"

urlpatterns = [
    path("interventions/", views.case_list, name="list"),
    path("interventions/export.csv", views.case_list_csv, name="list-csv"),
    path("schools/<int:urn>/interventions/", views.school_cases, name="school"),
    path(
        "schools/<int:urn>/interventions/warning-notices/new/",
        views.warning_notice_create,
        name="warning-notice-create",
    ),
    path(
        "schools/<int:urn>/interventions/interim-executive-boards/new/",
        views.ieb_create,
        name="ieb-create",
    ),
    path(
        "schools/<int:urn>/interventions/academy-concerns/new/",
        views.academy_concern_create,
        name="academy-concern-create",
    ),
    path("interventions/warning-notices/<int:pk>/", views.warning_notice, name="warning-notice"),
    path(
        "interventions/warning-notices/<int:pk>/<slug:step>/",
        views.warning_notice_step,
        name="warning-notice-step",
    ),
    path("interventions/interim-executive-boards/<int:pk>/", views.ieb, name="ieb"),
    path(
        "interventions/interim-executive-boards/<int:pk>/<slug:step>/",
        views.ieb_step,
        name="ieb-step",
    ),
    path("interventions/academy-concerns/<int:pk>/", views.academy_concern, name="academy-concern"),
    path(
        "interventions/academy-concerns/<int:pk>/<slug:step>/",
        views.academy_concern_step,
        name="academy-concern-step",
    ),
]
