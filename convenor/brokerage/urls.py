"""Brokerage pages: the support directory, requests, the brokerage board and plans."""

from django.urls import path

from convenor.brokerage import views

app_name = "brokerage"

urlpatterns = [
    path("brokerage/", views.index, name="index"),
    path("brokerage/directory/", views.directory, name="directory"),
    path("brokerage/directory/new/", views.provider_add, name="provider-add"),
    path("brokerage/directory/<int:pk>/", views.provider_page, name="provider"),
    path("brokerage/directory/<int:pk>/edit/", views.provider_edit, name="provider-edit"),
    path("brokerage/requests/", views.request_list, name="requests"),
    path("brokerage/requests/new/", views.request_start, name="request-start"),
    path("brokerage/requests/<int:pk>/", views.request_page, name="request"),
    path("brokerage/requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("schools/<int:urn>/support-request/", views.request_create, name="request-create"),
    path("brokerage/board/", views.board, name="board"),
    path("brokerage/board/run/", views.board_run, name="board-run"),
    path("brokerage/matches/<int:pk>/", views.match_page, name="match"),
    path("brokerage/matches/<int:pk>/plan/", views.plan_create, name="plan-create"),
    path("brokerage/matches/<int:pk>/<slug:decision>/", views.match_decide, name="match-decide"),
    path("brokerage/plans/", views.plan_list, name="plans"),
    path("brokerage/plans/<int:pk>/", views.plan_page, name="plan"),
    path("brokerage/plans/<int:pk>/<slug:step>/", views.plan_step, name="plan-step"),
]
