from django.urls import path

from convenor.schools import compare, group, profile, views

app_name = "schools"

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/", views.school_list, name="list"),
    path("schools/export.csv", views.school_list_csv, name="list-csv"),
    path("schools/<int:urn>/", profile.profile, name="profile"),
    path("groups/<int:uid>/", group.group, name="group"),
    path("compare/", compare.compare, name="compare"),
]
