from django.urls import path

from convenor.intelligence import views

app_name = "intelligence"

urlpatterns = [
    path("schools/<int:urn>/intelligence/", views.school_entries, name="school"),
    path("schools/<int:urn>/intelligence/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("schools/<int:urn>/intelligence/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("intelligence/concerns/", views.concerns, name="concerns"),
    path("intelligence/concerns.csv", views.concerns_csv, name="concerns-csv"),
    path("intelligence/rules/", views.rules, name="rules"),
    path("intelligence/rules/new/", views.rule_create, name="rule-create"),
]
