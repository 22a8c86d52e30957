"""Partnership pages: structures, meetings, connectedness, impact and credits."""

from django.urls import path

from convenor.brokerage.views_partnerships import credits, reports, structures

app_name = "partnerships"

urlpatterns = [
    path("partnerships/", structures.structure_list, name="list"),
    path("partnerships/new/", structures.structure_create, name="create"),
    path("partnerships/<int:pk>/", structures.structure, name="structure"),
    path("partnerships/<int:pk>/members/new/", structures.member_add, name="member-add"),
    path(
        "partnerships/<int:pk>/members/<int:member>/end/",
        structures.member_end,
        name="member-end",
    ),
    path("partnerships/<int:pk>/meetings/new/", structures.meeting_create, name="meeting-create"),
    path("partnerships/connectedness/", reports.connectedness, name="connectedness"),
    path(
        "partnerships/connectedness/export.csv",
        reports.connectedness_csv,
        name="connectedness-csv",
    ),
    path("partnerships/impact/", reports.impact, name="impact"),
    path("partnerships/credits/", credits.accounts, name="credits"),
    path("partnerships/credits/<int:pk>/", credits.account_statement, name="statement"),
    path("partnerships/credits/exchange/", credits.exchange, name="exchange"),
    path("partnerships/traded-services/", credits.traded, name="traded"),
]
