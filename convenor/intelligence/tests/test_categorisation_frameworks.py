"""The framework pages: versions, one version, and an administrator's new version."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from convenor.core.models import AuditEvent, Role
from convenor.core.testing import PageCheckingClient
from convenor.intelligence.models import CategoryFramework
from convenor.intelligence.tests.categorisation_world import (
    LA,
    board_member,
    officer,
    user_with,
    world,
)
from convenor.intelligence.tests.factories_interventions import page_text
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db

LIST = "/categories/frameworks/"
NEW = "/categories/frameworks/new/"


@pytest.fixture
def frameworks() -> dict[str, CategoryFramework]:
    return world()


@pytest.fixture
def admin_client(page_client: PageCheckingClient) -> PageCheckingClient:
    page_client.force_login(user_with(Role.ADMINISTRATOR, "admin"))
    return page_client


def _form_data(response) -> dict[str, Any]:
    """What the browser would send back for the page's framework form, unchanged."""
    data: dict[str, Any] = {}
    for name in ("form", "categories", "rules"):
        bound = response.context[name]
        forms = [bound] if name == "form" else [bound.management_form, *bound.forms]
        for form in forms:
            for field in form:
                value = field.value()
                if value is None or value is False:
                    continue
                data[field.html_name] = "on" if value is True else value
    return data


def test_it_lists_every_version_with_its_status(
    admin_client: PageCheckingClient, frameworks: dict[str, CategoryFramework]
) -> None:
    text = page_text(admin_client.get(LIST))
    assert "850 Maintained schools Categories of support (default) 1 Sep 2015 In force" in text
    assert "850 Academies and free schools Academies: cause for concern (default)" in text
    assert "Make a new version" in text


def test_an_officer_reads_their_las_versions_but_cannot_make_one(
    page_client: PageCheckingClient, frameworks: dict[str, CategoryFramework]
) -> None:
    page_client.force_login(officer())
    text = page_text(page_client.get(LIST))
    assert "Categories of support (default)" in text and "Make a new version" not in text
    maintained = frameworks["maintained"]
    detail = page_text(page_client.get(f"{LIST}{maintained.pk}/"))
    assert "1. Light touch Good or outstanding, no known concerns. 1 Not eligible" in detail
    assert "4. Support and challenge+" in detail and "6 Eligible" in detail
    assert (
        "3. KS2 reading, writing and maths 10 or more points below England, and falling "
        "KS2: RWM expected standard, points above or below England is at most -10 and "
        "KS2: trend of the gap to England (points a year; below 0 is falling) is less than 0 "
        "Support and challenge"
    ) in detail
    assert "Make a new version from this one" not in detail
    assert page_client.get(f"{NEW}?from={maintained.pk}").status_code == 403


def test_another_las_version_is_not_found(
    page_client: PageCheckingClient, frameworks: dict[str, CategoryFramework]
) -> None:
    page_client.force_login(board_member())
    LocalAuthorityFactory.create(code=851)
    from convenor.intelligence.categorisation import install_default_frameworks

    (other, *_rest) = install_default_frameworks(
        actor="test", la_code=851, effective_from=date(2016, 1, 1)
    )
    assert page_client.get(f"{LIST}{other.pk}/").status_code == 404
    assert page_client.get(f"{LIST}{frameworks['academy'].pk}/").status_code == 200
    assert "851" not in page_text(page_client.get(LIST))


def test_an_administrator_starts_by_choosing_the_la_and_schools(
    admin_client: PageCheckingClient,
) -> None:
    LocalAuthorityFactory.create(code=LA)
    response = admin_client.get(NEW)
    assert "Choose the local authority and the schools" in page_text(response)
    response = admin_client.get(f"{NEW}?la={LA}&track=maintained")
    text = page_text(response)
    assert "This LA has no framework for these schools yet, so this starts as convenor" in text
    assert response.context["form"].initial["name"] == "Categories of support (default)"
    assert admin_client.get(f"{NEW}?la=999&track=maintained").status_code == 404
    assert admin_client.get(f"{NEW}?la={LA}&track=nonsense").status_code == 404


def test_an_administrator_makes_a_new_version_from_the_latest(
    admin_client: PageCheckingClient, frameworks: dict[str, CategoryFramework]
) -> None:
    maintained = frameworks["maintained"]
    response = admin_client.get(f"{NEW}?la={LA}&track=maintained")
    assert response.context["base"] == maintained
    data = _form_data(response)
    data |= {
        "name": "Categories of support 2020",
        "effective_from": "2020-09-01",
        "categories-0-label": "Universal",
        "categories-1-visits_per_year": "3",
        # Remove the top-20% model rule, add a rule on persistent absence.
        "rules-6-DELETE": "on",
        "rules-7-order": "8",
        "rules-7-category": "3",
        "rules-7-match": "all",
        "rules-7-description": "High persistent absence",
        "rules-7-input_1": "absence_persistent",
        "rules-7-op_1": ">=",
        "rules-7-value_1": "20",
    }
    response = admin_client.post(f"{NEW}?la={LA}&track=maintained", data)
    new = CategoryFramework.objects.get(name="Categories of support 2020")
    assert response.status_code == 302 and response["Location"] == f"{LIST}{new.pk}/"
    assert new.based_on == maintained and new.effective_from == date(2020, 9, 1)
    assert [c.label for c in new.categories.order_by("order")] == [
        "Universal",
        "Light touch+",
        "Support and challenge",
        "Support and challenge+",
    ]
    assert new.categories.get(order=2).visits_per_year == 3
    rules = list(new.rules.order_by("order"))
    assert [r.order for r in rules] == [1, 2, 3, 4, 5, 6, 8]
    assert rules[-1].clauses == [{"input": "absence_persistent", "op": ">=", "value": 20.0}]
    assert rules[-1].category.label == "Support and challenge"
    # The version copied is untouched.
    assert maintained.categories.get(order=1).label == "Light touch"
    assert maintained.rules.count() == 7
    assert AuditEvent.objects.filter(action="category_framework.set").count() == 3
    shown = page_text(admin_client.get(response["Location"]))
    assert "in force for LA 850 from 1 Sep 2020" in shown


def test_it_shows_every_problem_in_the_error_summary(
    admin_client: PageCheckingClient, frameworks: dict[str, CategoryFramework]
) -> None:
    maintained = frameworks["maintained"]
    response = admin_client.get(f"{NEW}?from={maintained.pk}")
    data = _form_data(response)
    data |= {
        "name": "",
        "effective_from": "2015-09-01",
        "categories-1-visits_per_year": "lots",
        "rules-0-op_1": "",
        "rules-1-category": "7",
    }
    response = admin_client.post(f"{NEW}?from={maintained.pk}", data)
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter a name for the framework" in text
    assert "Category 2: Enter visits a year as a whole number" in text
    assert "Rule 1: Complete condition 1, or clear it" in text
    assert CategoryFramework.objects.count() == 2
    # Once the form is complete, the service's own rules show in the summary too.
    data |= {
        "name": "Again",
        "categories-1-visits_per_year": "2",
        "rules-0-op_1": ">=",
    }
    text = page_text(admin_client.post(f"{NEW}?from={maintained.pk}", data))
    assert "LA 850 already has a version taking effect on 1 Sep 2015" in text
    assert "Rule 2: it proposes a category the framework does not have." in text
    assert CategoryFramework.objects.count() == 2
