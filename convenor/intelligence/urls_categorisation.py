"""Routes of the category pages (docs/how-to/categorisation.md)."""

from django.urls import path

from convenor.intelligence import views_categorisation as views

app_name = "categories"

urlpatterns = [
    path("categories/", views.review_list, name="list"),
    path("categories/export.csv", views.review_list_csv, name="list-csv"),
    path("categories/frameworks/", views.frameworks, name="frameworks"),
    path("categories/frameworks/new/", views.framework_create, name="framework-create"),
    path("categories/frameworks/<int:pk>/", views.framework, name="framework"),
    path("categories/<int:urn>/", views.school, name="school"),
]
