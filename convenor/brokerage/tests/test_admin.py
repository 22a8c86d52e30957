"""Brokerage in the admin: every model listed, none added, changed or deleted there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from convenor.brokerage.tests.factories import live_plan
from convenor.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MODELS = [m for m in admin.site._registry if m._meta.app_label == "brokerage"]


@pytest.fixture
def steward(client: Client) -> Client:
    client.force_login(UserFactory.create(username="steward", is_staff=True, is_superuser=True))
    return client


def test_every_brokerage_model_is_registered() -> None:
    from django.apps import apps

    assert set(MODELS) == set(apps.get_app_config("brokerage").get_models())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_it_lists_rows_but_offers_no_add(steward: Client, model) -> None:
    live_plan()
    url = f"/admin/brokerage/{model._meta.model_name}/"
    assert steward.get(url).status_code == 200
    assert steward.get(f"{url}add/").status_code == 403


def test_a_plan_opens_read_only_and_cannot_be_deleted(steward: Client) -> None:
    plan = live_plan()
    url = f"/admin/brokerage/supportplan/{plan.pk}/"
    response = steward.get(f"{url}change/")
    assert response.status_code == 200 and "Stabilise leadership" not in response.content.decode()
    assert steward.post(f"{url}delete/", {"post": "yes"}).status_code == 403
