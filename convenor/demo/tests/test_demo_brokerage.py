"""The demo's synthetic brokerage: every part seeded through the services, labelled,
the same from the same seed, added once, and with the schools in difficulty drawn blind
to inspections."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from convenor.brokerage.models import (
    CreditAccount,
    CreditTransaction,
    Fund,
    Match,
    Partnership,
    PartnershipKind,
    PartnershipMeeting,
    ProviderManager,
    Subscription,
    SupportPlan,
    SupportProvider,
    SupportRequest,
    TariffBand,
    TradedService,
)
from convenor.core.models import AuditEvent
from convenor.demo.synthetic_brokerage import (
    HEAD_URN,
    MARK,
    SYSTEM_LEADER,
    good_schools,
    seed_brokerage,
)
from convenor.intelligence.categorisation import install_default_frameworks
from convenor.intelligence.models import CategoryDecision, Inspection
from convenor.intelligence.tests.factories import InspectionFactory
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import LocalAuthorityFactory, open_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def hampshire() -> list[Establishment]:
    """Sixty-four maintained schools in Winchester and Gosport open since 2010 (one in
    six a secondary, one in three good at its 2016 inspection), an academy, a school
    with no district, one that opened in 2018, and the default frameworks."""
    LocalAuthorityFactory.create(code=850)
    schools = []
    for n in range(64):
        district = ("Winchester", "Gosport")[n % 2]
        school = open_school(
            urn=HEAD_URN if n == 0 else 200_000 + n,
            name=f"School {n}",
            district=district,
            type_name="Community school",
            phase="Secondary" if n % 6 == 5 else "Primary",
            open_date=date(2010, 9, 1),
            easting=440_000 + 500 * n,
            northing=110_000 + 700 * (n % 2) * 20,
            pupils=150 + 10 * n,
        )
        InspectionFactory.create(
            urn=school.urn, inspection_date=date(2016, 5, 1), grade=2 + (n % 3 != 0)
        )
        schools.append(school)
    open_school(
        urn=300_001,
        name="Academy",
        district="Gosport",
        is_academy=True,
        type_name="Academy converter",
    )
    open_school(urn=300_002, name="Nowhere School", district="")
    open_school(urn=300_003, name="New School", district="Gosport", open_date=date(2018, 9, 1))
    install_default_frameworks(actor="test", la_code=850, effective_from=date(2015, 9, 1))
    return schools


def test_it_seeds_every_part_through_the_services(hampshire: list[Establishment]) -> None:
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    report = seed_brokerage(850)
    kinds = Counter(Partnership.objects.values_list("kind", flat=True))
    assert kinds == {
        PartnershipKind.STRATEGIC: 1,
        PartnershipKind.LEARNING_NETWORK: 1,
        PartnershipKind.AREA_BOARD: 2,
        PartnershipKind.CLUSTER: 4,
    }
    assert report.structures == 8 and report.memberships > 50
    # Two cluster meetings and two board meetings each, one of the strategic partnership.
    assert PartnershipMeeting.objects.count() == report.meetings == 4 * 2 + 2 * 2 + 1
    assert TariffBand.objects.filter(la_code=850).count() == 3
    assert SupportProvider.objects.count() == report.providers == 22 + 5
    assert SupportRequest.objects.count() == report.requests == 22
    # Each run: the first proposal overridden when another provider fits (else approved),
    # the second rejected; 2019's last three left for the board.
    statuses = Counter(Match.objects.values_list("status", flat=True))
    assert (statuses["rejected"], statuses["proposed"]) == (2, 3)
    assert statuses["overridden"] >= 1 and statuses["approved"] == SupportPlan.objects.count()
    plans = Counter(SupportPlan.objects.values_list("status", flat=True))
    assert plans == {"completed": 9, "stopped": 2, "continued": 7}
    assert Fund.objects.count() == 2 and all(f.partnership for f in Fund.objects.all())
    assert CreditAccount.objects.filter(urn=HEAD_URN).exists()
    assert Subscription.objects.filter(urn=HEAD_URN, service__name__contains="membership").exists()
    assert TradedService.objects.count() == 2
    # Nobody and nothing outside the demo's processes: the named loader and the inactive
    # synthetic account, which decides the categories that prompt the requests.
    events = AuditEvent.objects.exclude(pk__in=before)
    assert set(events.values_list("actor_label", flat=True)) == {
        "demo loader",
        "synthetic-data",
    }
    assert "9 completed" in report.summary()


def test_everything_it_makes_is_labelled_synthetic(hampshire: list[Establishment]) -> None:
    seed_brokerage(850)
    for model in (Partnership, SupportProvider, SupportRequest, Fund, TradedService, Subscription):
        assert not model.objects.filter(synthetic=False).exists(), model.__name__
    assert not CreditTransaction.objects.filter(synthetic=False).exists()
    assert all(r.notes.startswith(MARK) for r in SupportRequest.objects.all())
    assert all(p.objectives.startswith(MARK) for p in SupportPlan.objects.all())
    decisions = CategoryDecision.objects.all()
    assert decisions.count() == 22
    assert all(d.rationale.startswith(MARK) for d in decisions)
    assert set(SupportRequest.objects.values_list("prompted_by", flat=True)) == set(
        decisions.values_list("pk", flat=True)
    )


def test_system_leaders_sit_at_good_or_outstanding_schools(hampshire: list[Establishment]) -> None:
    seed_brokerage(850)
    homes = set(
        SupportProvider.objects.filter(home_urn__isnull=False).values_list("home_urn", flat=True)
    )
    assert homes and homes <= set(good_schools([s.urn for s in hampshire], date(2017, 9, 1)))
    managed = ProviderManager.objects.filter(user__username=SYSTEM_LEADER)
    assert managed.count() == 2
    # The override goes to a provider the demo system leader manages, when one fits.
    overrides = Match.objects.filter(replaces__isnull=False)
    assert overrides.filter(provider__in=managed.values("provider")).exists()


def test_a_second_run_adds_nothing(hampshire: list[Establishment]) -> None:
    seed_brokerage(850)
    events = AuditEvent.objects.count()
    again = seed_brokerage(850)
    assert again.already_seeded and "already present" in again.summary()
    assert AuditEvent.objects.count() == events


def _fingerprint() -> dict[str, Any]:
    """What was made, without database ids (which a rolled-back run may not reuse)."""
    return {
        "members": sorted(
            Partnership.objects.values_list("name", "memberships__urn", "memberships__role")
        ),
        "providers": sorted(SupportProvider.objects.values_list("name", "home_urn", "designation")),
        "requests": sorted(
            SupportRequest.objects.values_list("urn", "areas", "intensity", "status")
        ),
        "plans": sorted(SupportPlan.objects.values_list("urn", "provider__name", "status")),
        "attendance": sorted(
            PartnershipMeeting.objects.values_list(
                "held_on", "attendance__urn", "attendance__attended"
            )
        ),
        "credits": sorted(CreditTransaction.objects.values_list("posted_on", "entries__amount")),
    }


class _Undo(Exception):
    pass


def _seeded_then_undone(seed: int = 2020) -> dict[str, Any]:
    try:
        with transaction.atomic():
            seed_brokerage(850, seed=seed)
            found = _fingerprint()
            raise _Undo
    except _Undo:
        return found


def test_the_same_seed_makes_the_same_data(hampshire: list[Establishment]) -> None:
    first = _seeded_then_undone()
    assert not Partnership.objects.exists()
    assert _seeded_then_undone() == first
    assert _seeded_then_undone(seed=7)["requests"] != first["requests"]


def test_the_schools_in_difficulty_are_drawn_blind_to_inspections(
    hampshire: list[Establishment],
) -> None:
    first = _seeded_then_undone()
    Inspection.objects.update(grade=1)  # every school outstanding: other providers' homes
    again = _seeded_then_undone()
    assert again["providers"] != first["providers"]
    assert [r[:3] for r in again["requests"]] == [r[:3] for r in first["requests"]]


@pytest.mark.slow
def test_the_demo_load_seeds_the_real_extract() -> None:
    out = StringIO()
    call_command("demo", "load", "--la", "850", "--no-progress", stdout=out, stderr=StringIO())
    assert "synthetic brokerage: " in out.getvalue()
    assert SupportPlan.objects.filter(status="completed").exists()
    assert 40 <= SupportProvider.objects.count() <= 60
    call_command("demo", "load", "--la", "850", "--no-progress", stdout=out, stderr=StringIO())
    assert "synthetic brokerage already present" in out.getvalue()
