"""Property-based tests of the whole JSON API against its own OpenAPI schema (schemathesis).

The schema is loaded from the running app (``/api/v1/openapi.json``, with a
token), then schemathesis calls every operation with generated parameters,
valid and invalid, and checks each answer: no server error, a status code,
content type and body that the schema documents, and invalid input refused.
The data is a small demo-like Hampshire register with inspections and
indicators of every family, suppressed measures included.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from convenor.core.models import Role
from convenor.core.tests.api_helpers import bearer, token_for
from convenor.core.tests.factories import RoleAssignmentFactory
from convenor.intelligence.tests.factories import (
    AbsenceRecordFactory,
    CensusRecordFactory,
    ExclusionRecordFactory,
    InspectionFactory,
    KS2ResultFactory,
    KS4ResultFactory,
    PreferenceRecordFactory,
)
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    EstablishmentLinkFactory,
    LocalAuthorityFactory,
)

# The URN the schema gives as its example, so generated calls reach a school with data.
EXAMPLE_URN = 116336


def _demo_like_data() -> None:
    LocalAuthorityFactory.create(code=850)
    EstablishmentFactory.create(urn=EXAMPLE_URN, name="Newtown Primary", status="Closed")
    EstablishmentFactory.create(urn=140000, name="Newtown Academy", is_academy=True)
    EstablishmentLinkFactory.create(urn=140000, link_urn=EXAMPLE_URN, link_type="Predecessor")
    EstablishmentLinkFactory.create(urn=EXAMPLE_URN, link_urn=140000, link_type="Successor")
    EstablishmentFactory.create_batch(30)
    EstablishmentFactory.create_batch(5, phase="Secondary", district="Gosport")
    for year, grade in ((2009, 3), (2013, 2), (2017, 1)):
        InspectionFactory.create(urn=EXAMPLE_URN, inspection_date=date(year, 3, 1), grade=grade)
    for factory in (
        KS2ResultFactory,
        KS4ResultFactory,
        CensusRecordFactory,
        AbsenceRecordFactory,
        ExclusionRecordFactory,
        PreferenceRecordFactory,
    ):
        factory.create(urn=EXAMPLE_URN)
        factory.create(urn=140000, period="2019/20")


@pytest.fixture
def token(db) -> str:
    _demo_like_data()
    return token_for(RoleAssignmentFactory.create(role=Role.SCHOOL_LEADER).user)


@pytest.fixture
def wsgi_app() -> Iterator[object]:
    """The real WSGI app, sharing the test's database transaction.

    Django closes the connection around every request; inside a test that
    would end the transaction holding the test data. Its own test client
    stops that the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, token):
    # The token is given as the schema's own security scheme, so schemathesis
    # knows it is the credential: it also calls without it and expects a 401.
    config = SchemathesisConfig.from_dict(
        {"auth": {"openapi": {"ApiTokenAuth": {"bearer": token}}}}
    )
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", wsgi_app, headers=bearer(token), config=config
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_schema(case) -> None:
    case.call_and_validate()
