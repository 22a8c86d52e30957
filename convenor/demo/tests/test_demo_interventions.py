"""The demo's synthetic intervention cases: seeded, labelled, idempotent, blind to outcomes."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.core.models import AuditEvent
from convenor.demo.synthetic import PERIOD_END, PERIOD_START
from convenor.demo.synthetic_interventions import (
    CONCERN_STORIES,
    MARK,
    NOTICE_STORIES,
    eligible_schools,
    plan_cases,
    seed_interventions,
)
from convenor.intelligence import interventions as clocks
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import (
    AcademyConcern,
    InterimExecutiveBoard,
    InterventionPowerUse,
    WarningNotice,
)
from convenor.intelligence.tests.factories import InspectionFactory, KS2ResultFactory
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

MAINTAINED = list(range(100_000, 100_040))
ACADEMIES = list(range(140_000, 140_010))


def test_the_same_seed_plans_the_same_cases() -> None:
    plan = plan_cases(MAINTAINED, ACADEMIES, seed=7)
    assert plan == plan_cases(list(reversed(MAINTAINED)), list(reversed(ACADEMIES)), seed=7)
    assert plan != plan_cases(MAINTAINED, ACADEMIES, seed=8)


def test_it_plans_every_story_at_its_own_school_within_the_period() -> None:
    plan = plan_cases(MAINTAINED, ACADEMIES, seed=7)
    assert [n.story for n in plan.notices] == list(NOTICE_STORIES)
    assert [c.story for c in plan.concerns] == list(CONCERN_STORIES)
    assert {n.urn for n in plan.notices} <= set(MAINTAINED)
    assert {c.urn for c in plan.concerns} <= set(ACADEMIES)
    assert len(plan.urns) == len(NOTICE_STORIES) + len(CONCERN_STORIES)
    # The last step of a notice (a board taking over) is 49 days after its compliance
    # period; of a concern, 45 days after it is raised.
    assert all(
        PERIOD_START <= n.issued_on < n.compliance_ends_on <= PERIOD_END - timedelta(days=49)
        for n in plan.notices
    )
    assert all(
        PERIOD_START <= c.raised_on <= PERIOD_END - timedelta(days=45) for c in plan.concerns
    )


def test_it_plans_fewer_cases_when_there_are_fewer_schools() -> None:
    plan = plan_cases([1, 2], [], seed=7)
    assert [n.story for n in plan.notices] == ["complied", "complied"]
    assert plan.concerns == ()


def _school(**fields: Any) -> Establishment:
    defaults: dict[str, Any] = {"is_state_funded": True, "is_academy": False}
    return EstablishmentFactory.create(**(defaults | fields))


@pytest.fixture
def hampshire() -> tuple[list[int], list[int]]:
    """Twelve maintained schools and four academies in a trust open throughout, and schools
    that are not eligible: closed or opened within the period, an academy the register
    names no trust for, independent, a pupil referral unit, another LA's."""
    LocalAuthorityFactory.create(code=850)
    types = ["Community school", "Voluntary aided school", "Foundation school"]
    maintained = [
        _school(type_name=types[i % 3], religious_character="Church of England" if i % 3 else "")
        for i in range(12)
    ]
    academies = [
        _school(
            type_name="Academy converter",
            is_academy=True,
            trust_name="Solent Learning Trust",
            open_date=date(2015, 9, 1),
        )
        for _ in range(4)
    ]
    _school(close_date=date(2019, 7, 31))
    _school(open_date=date(2018, 9, 1))
    _school(type_name="Academy sponsor led", is_academy=True, open_date=date(2019, 1, 1))
    _school(type_name="Academy converter", is_academy=True, trust_name="")
    _school(is_state_funded=False, type_name="Other independent school")
    _school(type_name="Pupil referral unit")
    _school(la_code=851)
    return sorted(s.urn for s in maintained), sorted(s.urn for s in academies)


@pytest.mark.django_db
def test_it_draws_from_the_las_state_funded_schools_open_throughout_the_period(
    hampshire: tuple[list[int], list[int]],
) -> None:
    assert eligible_schools(850) == hampshire


@pytest.mark.django_db
def test_it_records_each_kind_of_case_through_the_services(
    hampshire: tuple[list[int], list[int]],
) -> None:
    report = seed_interventions(850)
    notices = WarningNotice.objects.all()
    assert (report.notices, report.boards, report.concerns, report.schools) == (5, 1, 2, 7)
    assert notices.count() == 5
    assert sorted(notices.values_list("outcome", flat=True)) == [
        "",
        "complied",
        "complied",
        "not_complied",
        "not_complied",
    ]
    # A power after one notice, and the board (the s65 power) after the other.
    assert sorted(InterventionPowerUse.objects.values_list("power", flat=True))[-1] == "s65"
    assert InterventionPowerUse.objects.count() == 2
    board = InterimExecutiveBoard.objects.get()
    assert board.consent_decision == "granted" and board.constituted_on is not None
    assert board.warning_notice is not None and board.warning_notice.outcome == "not_complied"
    concerns = AcademyConcern.objects.order_by("status")
    assert [(c.status, c.referred_to_rd_on is not None) for c in concerns] == [
        ("open", True),
        ("resolved", False),
    ]
    assert {c.trust_name for c in concerns} == {"Solent Learning Trust"}
    given = AuditEvent.objects.filter(action="warning_notice.given")
    assert given.count() == 5
    assert AuditEvent.objects.filter(action="ieb.constituted").count() == 1
    assert AuditEvent.objects.filter(action="academy_concern.referred").count() == 1
    assert set(AuditEvent.objects.values_list("actor_label", flat=True)) == {"demo loader"}
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


@pytest.mark.django_db
def test_it_labels_every_case_synthetic(hampshire: tuple[list[int], list[int]]) -> None:
    seed_interventions(850)
    texts = [
        *WarningNotice.objects.values_list("reasons", flat=True),
        *WarningNotice.objects.values_list("action_required", flat=True),
        *InterimExecutiveBoard.objects.values_list("note", flat=True),
        *AcademyConcern.objects.values_list("concern", flat=True),
    ]
    assert len(texts) == 13
    assert all(text.startswith(MARK) for text in texts)
    assert "synthetic" in MARK.lower()


@pytest.mark.django_db
def test_one_notice_is_overdue_and_the_board_had_consent(
    hampshire: tuple[list[int], list[int]],
) -> None:
    seed_interventions(850)
    schools = Establishment.objects.in_bulk(WarningNotice.objects.values_list("urn", flat=True))

    def clock(notice: WarningNotice, as_at: date) -> clocks.CaseClock:
        copies = services.required_copies(notice, schools[notice.urn])
        return clocks.warning_notice_clock(notice.facts(copies), as_at)

    for as_at in (PERIOD_END, timezone.localdate()):
        overdue = [n for n in WarningNotice.objects.all() if clock(n, as_at).overdue]
        assert [n.outcome for n in overdue] == [""]
        assert [d.key for d in clock(overdue[0], as_at).overdue_deadlines] == ["outcome"]
    # Every power used was reported to the DfE, so no notice is left with a flag.
    assert not [n for n in WarningNotice.objects.all() if clock(n, PERIOD_END).flags]
    board = InterimExecutiveBoard.objects.get()
    board_clock = clocks.ieb_clock(board.facts(), PERIOD_END)
    assert board_clock.is_open and not board_clock.flags and not board_clock.overdue


@pytest.mark.django_db
def test_it_seeds_the_same_cases_every_time(hampshire: tuple[list[int], list[int]]) -> None:
    def cases() -> list[tuple[object, ...]]:
        return [
            *WarningNotice.objects.order_by("urn").values_list(
                "urn", "issued_on", "compliance_ends_on", "outcome", "outcome_on"
            ),
            *AcademyConcern.objects.order_by("urn").values_list(
                "urn", "raised_with_trust_on", "status"
            ),
        ]

    seed_interventions(850)
    first = cases()
    InterimExecutiveBoard.objects.all().delete()
    WarningNotice.objects.all().delete()
    AcademyConcern.objects.all().delete()
    seed_interventions(850)
    assert cases() == first


@pytest.mark.django_db
def test_it_adds_nothing_on_a_second_run(hampshire: tuple[list[int], list[int]]) -> None:
    seed_interventions(850)
    counts = (
        WarningNotice.objects.count(),
        InterimExecutiveBoard.objects.count(),
        AcademyConcern.objects.count(),
        AuditEvent.objects.count(),
    )
    report = seed_interventions(850)
    assert report.already_seeded
    assert "already present" in report.summary()
    assert (
        WarningNotice.objects.count(),
        InterimExecutiveBoard.objects.count(),
        AcademyConcern.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_its_choice_of_schools_ignores_inspections_and_results(
    hampshire: tuple[list[int], list[int]],
) -> None:
    def chosen() -> set[int]:
        return {
            *WarningNotice.objects.values_list("urn", flat=True),
            *AcademyConcern.objects.values_list("urn", flat=True),
        }

    seed_interventions(850)
    before = chosen()
    InterimExecutiveBoard.objects.all().delete()
    WarningNotice.objects.all().delete()
    AcademyConcern.objects.all().delete()
    maintained, academies = hampshire
    for urn in maintained[:6] + academies[:2]:
        InspectionFactory.create(urn=urn, grade=4, rating="Inadequate")
        KS2ResultFactory.create(urn=urn)
    with CaptureQueriesContext(connection) as captured:
        seed_interventions(850)
    assert chosen() == before
    tables = ("inspection", "ks2result", "ks4result", "census", "absence", "exclusion", "risk")
    reads = [q["sql"].lower() for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in reads for table in tables if f"intelligence_{table}" in sql]


@pytest.mark.django_db
def test_demo_load_seeds_the_cases_once(
    hampshire: tuple[list[int], list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import itself is tested in test_demo_load; here only what follows it.
    monkeypatch.setattr(
        "convenor.demo.management.commands.demo.call_command", lambda *args, **kwargs: None
    )
    out = StringIO()
    call_command("demo", "load", "--la", "850", "--no-progress", stdout=out)
    assert (
        "LA 850: synthetic intervention cases at 7 schools: 5 warning notices, "
        "1 interim executive board and 2 academy concerns" in out.getvalue()
    )
    call_command("demo", "load", "--la", "850", "--no-progress", stdout=out)
    assert WarningNotice.objects.count() == 5
    assert "synthetic intervention cases already present" in out.getvalue()
