"""The demo's synthetic soft intelligence: seeded, labelled, idempotent, blind to outcomes."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.models import AuditEvent
from convenor.demo import synthetic
from convenor.demo.synthetic import (
    PERIOD_END,
    PERIOD_START,
    SYNTHETIC_USERNAME,
    eligible_urns,
    plan_entries,
    seed_soft_intelligence,
)
from convenor.intelligence.models import (
    ConcernRule,
    Sensitivity,
    SoftIntelligenceEntry,
    SoftIntelligenceKind,
)
from convenor.intelligence.tests.factories import InspectionFactory, KS2ResultFactory
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

URNS = list(range(100_000, 100_200))


def test_the_same_seed_plans_the_same_entries() -> None:
    assert plan_entries(URNS, seed=7) == plan_entries(list(reversed(URNS)), seed=7)
    assert plan_entries(URNS, seed=7) != plan_entries(URNS, seed=8)


def test_it_plans_entries_for_about_one_school_in_seven_within_the_period() -> None:
    planned = plan_entries(URNS, seed=7)
    assert len({p.urn for p in planned}) == 30  # 15% of 200
    assert all(PERIOD_START <= p.observed_on <= PERIOD_END for p in planned)
    assert {p.urn for p in planned} <= set(URNS)


def test_it_keeps_planned_safeguarding_restricted() -> None:
    planned = plan_entries(URNS, seed=7)
    safeguarding = [p for p in planned if p.kind == SoftIntelligenceKind.SAFEGUARDING]
    assert all(p.sensitivity == Sensitivity.RESTRICTED for p in safeguarding)


@pytest.fixture
def hampshire() -> list[int]:
    LocalAuthorityFactory.create(code=850)
    schools = EstablishmentFactory.create_batch(40, is_state_funded=True)
    EstablishmentFactory.create(is_state_funded=True, close_date=date(2019, 7, 31))
    EstablishmentFactory.create(is_state_funded=False)
    EstablishmentFactory.create(is_state_funded=True, la_code=851)
    return sorted(s.urn for s in schools)


@pytest.mark.django_db
def test_it_draws_from_the_las_state_funded_schools_open_at_the_end_of_the_period(
    hampshire: list[int],
) -> None:
    assert eligible_urns(850) == hampshire


@pytest.mark.django_db
def test_it_seeds_labelled_entries_by_an_account_that_cannot_sign_in(
    hampshire: list[int],
) -> None:
    report = seed_soft_intelligence(850)
    entries = SoftIntelligenceEntry.objects.all()
    assert report.entries == entries.count() > 0
    assert report.schools == len({e.urn for e in entries}) == 6
    assert all(e.synthetic for e in entries)
    author = User.objects.get(username=SYNTHETIC_USERNAME)
    assert set(entries.values_list("author", flat=True)) == {author.pk}
    assert not author.is_active and not author.has_usable_password()
    assert not author.role_assignments.exists()
    assert AuditEvent.objects.filter(action="soft_intelligence.recorded").count() == report.entries


@pytest.mark.django_db
def test_it_sets_the_default_rule_of_three_in_two_terms(hampshire: list[int]) -> None:
    seed_soft_intelligence(850)
    rule = ConcernRule.objects.get()
    assert (rule.la_code, rule.threshold, rule.window_length, rule.window_unit, rule.kinds) == (
        850,
        3,
        2,
        "terms",
        [],
    )
    assert rule.effective_from <= PERIOD_START


@pytest.mark.django_db
def test_it_seeds_the_same_entries_every_time(hampshire: list[int]) -> None:
    def entries() -> list[tuple[object, ...]]:
        return list(
            SoftIntelligenceEntry.objects.order_by(
                "urn", "observed_on", "kind", "summary"
            ).values_list("urn", "kind", "observed_on", "sensitivity", "summary", "source")
        )

    seed_soft_intelligence(850)
    first = entries()
    SoftIntelligenceEntry.objects.all().delete()
    seed_soft_intelligence(850)
    assert entries() == first


@pytest.mark.django_db
def test_it_adds_nothing_on_a_second_run(hampshire: list[int]) -> None:
    seed_soft_intelligence(850)
    counts = (SoftIntelligenceEntry.objects.count(), ConcernRule.objects.count())
    events = AuditEvent.objects.count()
    report = seed_soft_intelligence(850)
    assert report.already_seeded and not report.rule_set
    assert (SoftIntelligenceEntry.objects.count(), ConcernRule.objects.count()) == counts
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_it_never_reads_inspections_or_results(hampshire: list[int]) -> None:
    for urn in hampshire[:10]:
        InspectionFactory.create(urn=urn, grade=4, rating="Inadequate")
        KS2ResultFactory.create(urn=urn)
    with CaptureQueriesContext(connection) as captured:
        seed_soft_intelligence(850)
    tables = ("inspection", "ks2result", "ks4result", "census", "absence", "exclusion")
    reads = [q["sql"].lower() for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in reads for table in tables if f"intelligence_{table}" in sql]
    # And the entries are those planned from the URNs and the seed alone.
    planned = plan_entries(hampshire, seed=synthetic.DEFAULT_SEED * 1000 + 850)
    stored = SoftIntelligenceEntry.objects.order_by("urn", "observed_on", "pk")
    assert sorted((p.urn, p.observed_on, p.kind) for p in planned) == [
        (e.urn, e.observed_on, e.kind) for e in stored
    ]


@pytest.mark.django_db
def test_demo_load_seeds_after_importing(hampshire: list[int], monkeypatch) -> None:
    # The import itself is tested in convenor/demo/tests; here only what follows it.
    imported: list[tuple[object, ...]] = []
    monkeypatch.setattr(
        "convenor.demo.management.commands.demo.call_command",
        lambda *args, **kwargs: imported.append(args),
    )
    out = StringIO()
    call_command("demo", "load", "--la", "850", "--no-progress", stdout=out)
    assert imported and imported[0][0] == "import_all"
    assert "synthetic soft intelligence entries for 6 schools" in out.getvalue()
    assert "/intelligence/concerns/?as_at=2020-03-31" in out.getvalue()
    count = SoftIntelligenceEntry.objects.count()
    call_command("demo", "load", "--la", "850", "--no-progress", stdout=out)
    assert SoftIntelligenceEntry.objects.count() == count
    assert "synthetic soft intelligence already present" in out.getvalue()
