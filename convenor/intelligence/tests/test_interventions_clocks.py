"""The intervention clocks: exact dates for every rule, edge days, and properties.

No database: the clocks are pure functions of the case's facts and the as-at date.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convenor.intelligence.interventions import (
    DEFAULT_POLICY,
    CaseClock,
    ConcernFacts,
    ConcernStatus,
    ConsentDecision,
    CopyFact,
    DeadlineState,
    EntryState,
    IebFacts,
    Issuer,
    LocalPolicy,
    NoticeFacts,
    NoticeKind,
    Outcome,
    Power,
    PowerFact,
    Recipient,
    Severity,
    WindowState,
    academy_concern_clock,
    add_months,
    add_working_days,
    deadline,
    earliest_compliance_end,
    ieb_clock,
    is_maintained,
    notice_rules,
    power_use_problems,
    powers_window,
    required_copies,
    timeline,
    warning_notice_clock,
)

S60 = NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY
S60A = NoticeKind.PAY_AND_CONDITIONS
LA = Issuer.LOCAL_AUTHORITY
SOS = Issuer.SECRETARY_OF_STATE
HEAD = Recipient.HEAD_TEACHER
SECRETARY = Recipient.SECRETARY_OF_STATE


def notice(**facts: object) -> NoticeFacts:
    values: dict[str, object] = {
        "kind": S60,
        "issuer": LA,
        "issued_on": date(2019, 9, 2),
        "compliance_ends_on": date(2019, 10, 31),
        "required_copies": (HEAD, SECRETARY),
    }
    return NoticeFacts(**(values | facts))  # type: ignore[arg-type]


def not_complied(end: date, **facts: object) -> NoticeFacts:
    """A notice not complied with, whose compliance period ended on ``end``."""
    values: dict[str, object] = {
        "issued_on": end - timedelta(days=30),
        "compliance_ends_on": end,
        "outcome": Outcome.NOT_COMPLIED,
        "outcome_on": end + timedelta(days=1),
    }
    return notice(**(values | facts))


def state(clock: CaseClock, key: str) -> DeadlineState:
    return next(d for d in clock.deadlines if d.key == key).state


def flag_keys(clock: CaseClock) -> set[str]:
    return {f.key for f in clock.flags}


# --- Calendar months ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2019, 1, 15), 2, date(2019, 3, 15)),
        (date(2022, 12, 31), 2, date(2023, 2, 28)),  # no 31 February: the month's last day
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # leap year
        (date(2019, 12, 30), 2, date(2020, 2, 29)),
        (date(2024, 2, 29), 2, date(2024, 4, 29)),
        (date(2019, 8, 31), 2, date(2019, 10, 31)),
        (date(2019, 4, 30), 2, date(2019, 6, 30)),
        (date(2019, 11, 30), 2, date(2020, 1, 30)),  # across the year end
        (date(2020, 1, 31), 1, date(2020, 2, 29)),
        (date(2021, 1, 31), 1, date(2021, 2, 28)),
    ],
)
def test_it_adds_calendar_months_by_the_corresponding_date(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(0, 36))
def test_it_keeps_the_day_of_the_month_when_it_can(day: date, months: int) -> None:
    later = add_months(day, months)
    assert later >= day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    next_day = later + timedelta(days=1)
    assert later.day == day.day or (later.day < day.day and next_day.day == 1)


@given(
    st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.dates(date(1990, 1, 1), date(2090, 12, 31))
)
def test_it_never_reorders_dates_when_adding_months(a: date, b: date) -> None:
    if a <= b:
        assert add_months(a, 2) <= add_months(b, 2)


# --- Working days and compliance periods -------------------------------------------------


def test_it_counts_the_first_day_when_it_is_a_working_day() -> None:
    # Tuesday 1 September 2015: the 15th working day is Monday 21 September.
    assert add_working_days(date(2015, 9, 1), 15) == date(2015, 9, 21)
    assert add_working_days(date(2015, 9, 1), 1) == date(2015, 9, 1)


def test_it_skips_weekends_and_holidays() -> None:
    saturday = date(2015, 9, 5)
    assert add_working_days(saturday, 1) == date(2015, 9, 7)
    assert add_working_days(date(2015, 8, 28), 2, frozenset({date(2015, 8, 31)})) == date(
        2015, 9, 1
    )


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.integers(1, 40))
def test_it_lands_on_the_nth_working_day(start: date, count: int) -> None:
    end = add_working_days(start, count)
    assert end.weekday() < 5
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    assert sum(1 for d in days if d.weekday() < 5) == count


def test_it_asks_15_working_days_of_a_notice_before_18_april_2016() -> None:
    assert earliest_compliance_end(S60, date(2015, 9, 1)) == date(2015, 9, 21)
    # The day before the Education and Adoption Act 2016 took effect, and the day itself.
    assert earliest_compliance_end(S60, date(2016, 4, 17)) == date(2016, 5, 6)
    assert earliest_compliance_end(S60, date(2016, 4, 18)) == date(2016, 4, 18)


def test_it_knows_which_rules_were_in_force_when() -> None:
    assert notice_rules(date(2007, 3, 31)) is None
    assert notice_rules(date(2007, 4, 1)).kinds == {S60}  # type: ignore[union-attr]
    assert notice_rules(date(2010, 1, 11)).kinds == {S60}  # type: ignore[union-attr]
    assert notice_rules(date(2010, 1, 12)).kinds == {S60, S60A}  # type: ignore[union-attr]
    before, after = notice_rules(date(2016, 4, 17)), notice_rules(date(2016, 4, 18))
    assert before is not None and after is not None
    assert before.issuers[S60] == {LA}
    assert after.issuers[S60] == {LA, SOS}
    assert after.issuers[S60A] == {LA}
    assert before.representations_to[S60] == "Ofsted"
    assert after.representations_to == {}


# --- Who is maintained, who gets copies --------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "maintained"),
    [
        ("Community school", True),
        ("Voluntary aided school", True),
        ("Voluntary controlled school", True),
        ("Foundation school", True),
        ("Community special school", True),
        ("Foundation special school", True),
        ("Local authority nursery school", True),
        ("Pupil referral unit", False),
        ("Academy converter", False),
        ("Free schools", False),
        ("Other independent school", False),
        ("", False),
    ],
)
def test_it_knows_the_maintained_schools_of_section_59(type_name: str, maintained: bool) -> None:
    assert is_maintained(type_name) is maintained


def test_it_copies_a_church_school_notice_to_the_diocese() -> None:
    copies = required_copies(LA, "Voluntary aided school", "Roman Catholic")
    assert copies == (HEAD, Recipient.DIOCESAN_AUTHORITY, SECRETARY)


def test_it_copies_other_foundation_school_notices_to_the_foundation_appointer() -> None:
    copies = required_copies(LA, "Foundation school", "Does not apply")
    assert copies == (HEAD, Recipient.FOUNDATION_APPOINTER, SECRETARY)


def test_it_copies_a_community_school_notice_to_the_head_and_the_secretary_of_state() -> None:
    assert required_copies(LA, "Community school", "") == (HEAD, SECRETARY)


def test_it_does_not_copy_the_secretary_of_states_own_notice_to_them() -> None:
    assert required_copies(SOS, "Community school", "") == (HEAD,)


# --- The powers window -------------------------------------------------------------------


def test_it_opens_the_window_the_day_after_the_compliance_period() -> None:
    assert powers_window(date(2019, 1, 15)) == (date(2019, 1, 16), date(2019, 3, 15))


def test_it_closes_a_window_from_31_december_on_the_last_day_of_february() -> None:
    assert powers_window(date(2022, 12, 31)) == (date(2023, 1, 1), date(2023, 2, 28))
    assert powers_window(date(2023, 12, 31)) == (date(2024, 1, 1), date(2024, 2, 29))


@pytest.mark.parametrize(
    ("as_at", "window", "powers"),
    [
        (date(2022, 12, 31), WindowState.NOT_STARTED, DeadlineState.UPCOMING),
        (date(2023, 1, 1), WindowState.OPEN, DeadlineState.UPCOMING),
        (date(2023, 2, 13), WindowState.OPEN, DeadlineState.UPCOMING),
        (date(2023, 2, 14), WindowState.CLOSING, DeadlineState.UPCOMING),  # 14 days left
        (date(2023, 2, 28), WindowState.CLOSING, DeadlineState.UPCOMING),  # the last day
        (date(2023, 3, 1), WindowState.CLOSED, DeadlineState.LAPSED),
    ],
)
def test_it_tracks_the_window_to_its_last_day(
    as_at: date, window: WindowState, powers: DeadlineState
) -> None:
    facts = not_complied(date(2022, 12, 31), outcome_on=date(2022, 12, 31))
    clock = warning_notice_clock(facts, as_at)
    assert clock.window is not None
    assert clock.window.state == window
    assert state(clock, "powers") == powers
    assert ("window-closing" in flag_keys(clock)) is (window == WindowState.CLOSING)


def test_it_closes_the_case_when_the_window_closes_unused() -> None:
    facts = not_complied(date(2023, 12, 31))
    assert warning_notice_clock(facts, date(2024, 2, 29)).is_open
    closed = warning_notice_clock(facts, date(2024, 3, 1))
    assert not closed.is_open
    assert "window-closed" in flag_keys(closed)
    assert not closed.overdue  # the LA may choose not to intervene


def test_it_counts_the_closing_warning_from_local_policy() -> None:
    facts = not_complied(date(2022, 12, 31))
    clock = warning_notice_clock(facts, date(2023, 2, 1), LocalPolicy(window_closing_days=30))
    assert clock.window is not None and clock.window.state == WindowState.CLOSING


def test_it_runs_the_window_even_before_the_outcome_is_recorded() -> None:
    facts = notice(compliance_ends_on=date(2019, 10, 31))
    clock = warning_notice_clock(facts, date(2019, 12, 20))
    assert clock.window is not None and clock.window.state == WindowState.CLOSING
    assert state(clock, "outcome") == DeadlineState.OVERDUE


# --- Warning notice deadlines ------------------------------------------------------------


def test_it_wants_copies_on_the_day_of_the_notice() -> None:
    facts = notice()
    on_the_day = warning_notice_clock(facts, date(2019, 9, 2))
    assert state(on_the_day, f"copy-{HEAD}") == DeadlineState.UPCOMING
    assert on_the_day.next_deadline is not None
    assert on_the_day.days_remaining == 0
    assert not on_the_day.overdue
    next_day = warning_notice_clock(facts, date(2019, 9, 3))
    assert state(next_day, f"copy-{SECRETARY}") == DeadlineState.OVERDUE
    assert next_day.overdue
    assert next_day.days_remaining == -1


def test_it_meets_a_copy_deadline_when_the_copy_is_sent() -> None:
    facts = notice(copies=(CopyFact(HEAD, date(2019, 9, 2)), CopyFact(SECRETARY, date(2019, 9, 2))))
    clock = warning_notice_clock(facts, date(2019, 9, 3))
    assert state(clock, f"copy-{HEAD}") == DeadlineState.MET
    assert state(clock, f"copy-{SECRETARY}") == DeadlineState.MET
    assert not clock.overdue


def test_it_flags_a_copy_to_the_secretary_of_state_sent_late() -> None:
    facts = notice(copies=(CopyFact(HEAD, date(2019, 9, 2)), CopyFact(SECRETARY, date(2019, 9, 5))))
    clock = warning_notice_clock(facts, date(2019, 9, 10))
    late = next(f for f in clock.flags if f.key == "late-copy")
    assert "3 days after" in late.text
    assert late.severity == Severity.WARNING


def test_it_wants_the_outcome_once_the_compliance_period_ends() -> None:
    facts = notice(copies=(CopyFact(HEAD, date(2019, 9, 2)), CopyFact(SECRETARY, date(2019, 9, 2))))
    last_day = warning_notice_clock(facts, date(2019, 10, 31))
    assert state(last_day, "outcome") == DeadlineState.UPCOMING
    assert not last_day.overdue
    after = warning_notice_clock(facts, date(2019, 11, 1))
    assert state(after, "outcome") == DeadlineState.OVERDUE
    assert after.overdue


def test_it_ignores_an_outcome_recorded_after_the_as_at_date() -> None:
    facts = notice(outcome=Outcome.COMPLIED, outcome_on=date(2019, 11, 5))
    before = warning_notice_clock(facts, date(2019, 11, 4))
    assert before.is_open and state(before, "outcome") == DeadlineState.OVERDUE
    after = warning_notice_clock(facts, date(2019, 11, 5))
    assert not after.is_open and state(after, "outcome") == DeadlineState.MET
    assert after.window is None


@pytest.mark.parametrize("outcome", [Outcome.COMPLIED, Outcome.WITHDRAWN, Outcome.SUPERSEDED])
def test_it_closes_a_notice_that_was_complied_with_withdrawn_or_superseded(
    outcome: Outcome,
) -> None:
    facts = notice(outcome=outcome, outcome_on=date(2019, 10, 1))
    clock = warning_notice_clock(facts, date(2020, 1, 1))
    assert not clock.is_open
    assert clock.window is None
    assert all(d.key != "powers" for d in clock.deadlines)


def test_it_makes_the_school_eligible_once_reasonable_notice_is_given() -> None:
    end = date(2022, 12, 31)
    later = warning_notice_clock(
        not_complied(end, reasonable_notice_on=date(2023, 1, 10)), date(2023, 1, 20)
    )
    assert later.eligible_on == date(2023, 1, 10)
    assert state(later, "reasonable-notice") == DeadlineState.MET
    early = warning_notice_clock(
        not_complied(end, reasonable_notice_on=date(2022, 12, 20)), date(2023, 1, 20)
    )
    assert early.eligible_on == date(2023, 1, 1)
    none = warning_notice_clock(not_complied(end), date(2023, 1, 20))
    assert none.eligible_on is None
    assert state(none, "reasonable-notice") == DeadlineState.UPCOMING


def test_it_meets_the_powers_deadline_with_the_first_power_used() -> None:
    facts = not_complied(
        date(2022, 12, 31),
        reasonable_notice_on=date(2023, 1, 5),
        powers=(PowerFact(Power.ARRANGEMENTS, date(2023, 2, 1), date(2023, 2, 2)),),
    )
    clock = warning_notice_clock(facts, date(2023, 3, 10))
    assert state(clock, "powers") == DeadlineState.MET
    assert not clock.is_open  # the window has closed, and the power was used
    assert not clock.flags


def test_it_asks_for_the_dfe_to_be_told_of_a_power_used() -> None:
    facts = not_complied(
        date(2022, 12, 31),
        reasonable_notice_on=date(2023, 1, 5),
        powers=(PowerFact(Power.ADDITIONAL_GOVERNORS, date(2023, 2, 1), date(2023, 2, 8)),),
    )
    assert "dfe-s64" in flag_keys(warning_notice_clock(facts, date(2023, 2, 7)))
    assert "dfe-s64" not in flag_keys(warning_notice_clock(facts, date(2023, 2, 8)))


def test_it_flags_a_power_used_outside_the_window() -> None:
    facts = not_complied(
        date(2022, 12, 31),
        reasonable_notice_on=date(2023, 1, 5),
        powers=(PowerFact(Power.SUSPEND_BUDGET, date(2023, 3, 1), date(2023, 3, 1)),),
    )
    assert "outside-s66" in flag_keys(warning_notice_clock(facts, date(2023, 3, 2)))


def test_it_shows_representations_only_from_notices_given_before_2016() -> None:
    facts = notice(
        issued_on=date(2015, 9, 1),
        compliance_ends_on=date(2015, 9, 21),
        representations_on=date(2015, 9, 10),
    )
    texts = [e.text for e in warning_notice_clock(facts, date(2015, 9, 30)).events]
    assert "Representations made to Ofsted" in texts


# --- Using powers ----------------------------------------------------------------------


def test_it_refuses_s63_after_a_pay_and_conditions_notice() -> None:
    facts = not_complied(date(2022, 12, 31), kind=S60A, reasonable_notice_on=date(2023, 1, 2))
    check = power_use_problems(facts, Power.ARRANGEMENTS, date(2023, 1, 10))
    assert check.field == "power" and "s63(1)" in check.problem
    assert not power_use_problems(facts, Power.ADDITIONAL_GOVERNORS, date(2023, 1, 10)).problem


def test_it_refuses_powers_before_the_school_is_eligible() -> None:
    undecided = notice(compliance_ends_on=date(2022, 12, 31))
    assert (
        "not eligible"
        in power_use_problems(undecided, Power.ARRANGEMENTS, date(2023, 1, 5)).problem
    )
    no_notice = not_complied(date(2022, 12, 31))
    assert (
        "reasonable written notice"
        in power_use_problems(no_notice, Power.ARRANGEMENTS, date(2023, 1, 5)).problem
    )
    noticed = not_complied(date(2022, 12, 31), reasonable_notice_on=date(2023, 1, 5))
    before = power_use_problems(noticed, Power.ARRANGEMENTS, date(2023, 1, 4))
    assert before.field == "used_on"


@pytest.mark.parametrize("power", [Power.ARRANGEMENTS, Power.ADDITIONAL_GOVERNORS])
def test_it_allows_verified_powers_to_the_windows_last_day_and_no_later(power: Power) -> None:
    facts = not_complied(date(2023, 12, 31), reasonable_notice_on=date(2024, 1, 1))
    assert not power_use_problems(facts, power, date(2024, 1, 1)).problem  # the first day
    assert not power_use_problems(facts, power, date(2024, 2, 29)).problem  # the last
    late = power_use_problems(facts, power, date(2024, 3, 1))
    assert late.field == "used_on" and "29 February 2024" in late.problem


@pytest.mark.parametrize("power", [Power.INTERIM_EXECUTIVE_BOARD, Power.SUSPEND_BUDGET])
def test_it_only_warns_when_an_unverified_window_is_missed(power: Power) -> None:
    facts = not_complied(date(2023, 12, 31), reasonable_notice_on=date(2024, 1, 2))
    late = power_use_problems(facts, power, date(2024, 3, 1))
    assert not late.problem
    assert "not sure" in late.warning


def test_it_holds_a_pay_and_conditions_notice_to_the_s64_window() -> None:
    facts = not_complied(date(2022, 12, 31), kind=S60A, reasonable_notice_on=date(2023, 1, 2))
    assert power_use_problems(facts, Power.ADDITIONAL_GOVERNORS, date(2023, 3, 1)).problem


# --- Interim executive boards ----------------------------------------------------------


def test_it_flags_a_board_whose_consent_is_not_requested() -> None:
    clock = ieb_clock(IebFacts(proposed_on=date(2020, 1, 1)), date(2020, 1, 2))
    assert "consent-not-requested" in flag_keys(clock)
    assert clock.is_open and not clock.overdue


def test_it_chases_the_consent_decision_after_the_local_policy_period() -> None:
    facts = IebFacts(proposed_on=date(2020, 1, 1), consent_requested_on=date(2020, 1, 1))
    due = ieb_clock(facts, date(2020, 1, 29))
    assert state(due, "consent") == DeadlineState.UPCOMING
    assert due.days_remaining == 0
    late = ieb_clock(facts, date(2020, 1, 30))
    assert state(late, "consent") == DeadlineState.OVERDUE and late.overdue
    sooner = ieb_clock(facts, date(2020, 1, 12), LocalPolicy(consent_chase_days=10))
    assert state(sooner, "consent") == DeadlineState.OVERDUE


def test_it_meets_the_consent_deadline_with_the_decision() -> None:
    facts = IebFacts(
        proposed_on=date(2020, 1, 1),
        consent_requested_on=date(2020, 1, 2),
        consent_decision=ConsentDecision.GRANTED,
        consent_decision_on=date(2020, 2, 20),
    )
    clock = ieb_clock(facts, date(2020, 2, 21))
    assert state(clock, "consent") == DeadlineState.MET
    assert "awaiting-constitution" in flag_keys(clock)


def test_it_flags_a_board_constituted_without_consent_as_overdue() -> None:
    facts = IebFacts(proposed_on=date(2020, 1, 1), constituted_on=date(2020, 2, 1), member_count=3)
    clock = ieb_clock(facts, date(2020, 2, 2))
    assert "no-consent" in flag_keys(clock)
    assert clock.overdue


def test_it_flags_a_board_with_fewer_than_two_members() -> None:
    facts = IebFacts(
        proposed_on=date(2020, 1, 1),
        consent_requested_on=date(2020, 1, 1),
        consent_decision=ConsentDecision.GRANTED,
        consent_decision_on=date(2020, 1, 10),
        constituted_on=date(2020, 2, 1),
        member_count=1,
    )
    assert "members" in flag_keys(ieb_clock(facts, date(2020, 2, 2)))


def test_it_wants_a_notice_board_in_place_by_the_end_of_the_window() -> None:
    facts = IebFacts(proposed_on=date(2020, 1, 1), window_closes_on=date(2020, 2, 29))
    assert state(ieb_clock(facts, date(2020, 2, 29)), "constitute") == DeadlineState.UPCOMING
    assert state(ieb_clock(facts, date(2020, 3, 1)), "constitute") == DeadlineState.LAPSED


def test_it_closes_a_board_when_consent_is_refused_or_it_ends() -> None:
    refused = IebFacts(
        proposed_on=date(2020, 1, 1),
        consent_requested_on=date(2020, 1, 2),
        consent_decision=ConsentDecision.REFUSED,
        consent_decision_on=date(2020, 1, 20),
    )
    assert not ieb_clock(refused, date(2020, 1, 20)).is_open
    assert ieb_clock(refused, date(2020, 1, 19)).is_open
    ended = IebFacts(
        proposed_on=date(2020, 1, 1),
        consent_requested_on=date(2020, 1, 2),
        consent_decision=ConsentDecision.GRANTED,
        consent_decision_on=date(2020, 1, 20),
        constituted_on=date(2020, 2, 1),
        member_count=3,
        ended_on=date(2021, 7, 31),
    )
    clock = ieb_clock(ended, date(2021, 8, 1))
    assert not clock.is_open and not clock.flags and clock.next_deadline is None


# --- Concerns about academies ----------------------------------------------------------


def test_it_expects_the_trusts_answer_within_15_days() -> None:
    facts = ConcernFacts(raised_on=date(2020, 1, 6))
    on_time = academy_concern_clock(facts, date(2020, 1, 21))
    assert state(on_time, "trust-response") == DeadlineState.UPCOMING
    assert on_time.days_remaining == 0
    late = academy_concern_clock(facts, date(2020, 1, 22))
    assert state(late, "trust-response") == DeadlineState.OVERDUE
    assert "consider-referral" in flag_keys(late)


def test_it_expects_the_regional_directors_answer_after_a_referral() -> None:
    facts = ConcernFacts(
        raised_on=date(2020, 1, 6), referred_on=date(2020, 1, 31), trust_response_on=None
    )
    clock = academy_concern_clock(facts, date(2020, 2, 28))
    assert state(clock, "rd-response") == DeadlineState.UPCOMING
    assert clock.next_deadline is not None and clock.next_deadline.key == "trust-response"
    assert "consider-referral" not in flag_keys(clock)
    assert state(academy_concern_clock(facts, date(2020, 2, 29)), "rd-response") == (
        DeadlineState.OVERDUE
    )
    slower = LocalPolicy(regional_director_response_days=60)
    assert state(academy_concern_clock(facts, date(2020, 3, 1), slower), "rd-response") == (
        DeadlineState.UPCOMING
    )


def test_it_owes_nothing_on_a_closed_concern() -> None:
    facts = ConcernFacts(
        raised_on=date(2020, 1, 6), status=ConcernStatus.RESOLVED, closed_on=date(2020, 3, 1)
    )
    clock = academy_concern_clock(facts, date(2020, 3, 2))
    assert not clock.is_open and not clock.overdue and clock.next_deadline is None
    assert academy_concern_clock(facts, date(2020, 2, 29)).is_open


# --- Timelines -------------------------------------------------------------------------


def test_it_puts_events_and_pending_deadlines_in_date_order() -> None:
    facts = notice(copies=(CopyFact(HEAD, date(2019, 9, 2)),))
    clock = warning_notice_clock(facts, date(2019, 9, 10))
    entries = timeline([("Notice", clock)])
    assert [e.on for e in entries] == sorted(e.on for e in entries)
    texts = [(e.text, e.state) for e in entries]
    assert ("Copy sent to the head teacher", EntryState.DONE) in texts
    assert ("Due: Send a copy to the Secretary of State", EntryState.OVERDUE) in texts
    assert ("Due: Decide whether the governing body complied", EntryState.UPCOMING) in texts
    assert all(e.case == "Notice" for e in entries)


def test_it_merges_several_cases_into_one_timeline() -> None:
    notice_clock = warning_notice_clock(notice(), date(2020, 1, 10))
    board_clock = ieb_clock(IebFacts(proposed_on=date(2019, 12, 1)), date(2020, 1, 10))
    entries = timeline([("Notice", notice_clock), ("Board", board_clock)])
    assert {e.case for e in entries} == {"Notice", "Board"}
    assert entries[0].on == date(2019, 9, 2)


# --- Properties ------------------------------------------------------------------------

days = st.dates(date(2016, 4, 18), date(2035, 12, 31))
offsets = st.integers(0, 400)


@st.composite
def notices(draw: st.DrawFn) -> NoticeFacts:
    issued = draw(days)
    end = issued + timedelta(days=draw(st.integers(0, 120)))
    outcome = draw(st.sampled_from([None, *Outcome]))
    outcome_on = None if outcome is None else end + timedelta(days=draw(st.integers(-5, 60)))
    noticed = draw(st.one_of(st.none(), st.integers(1, 90))) if outcome else None
    powers: tuple[PowerFact, ...] = ()
    if outcome == Outcome.NOT_COMPLIED and noticed is not None:
        used = end + timedelta(days=draw(st.integers(1, 90)))
        powers = (PowerFact(draw(st.sampled_from(list(Power))), used, None),)
    return NoticeFacts(
        kind=draw(st.sampled_from(list(NoticeKind))),
        issuer=LA,
        issued_on=issued,
        compliance_ends_on=end,
        required_copies=(HEAD, SECRETARY),
        copies=tuple(
            CopyFact(r, issued + timedelta(days=draw(st.integers(0, 10))))
            for r in draw(st.sets(st.sampled_from([HEAD, SECRETARY])))
        ),
        outcome=outcome,
        outcome_on=outcome_on,
        reasonable_notice_on=None if noticed is None else end + timedelta(days=noticed),
        powers=powers,
    )


@given(notices(), offsets)
def test_no_deadline_falls_before_the_notice(facts: NoticeFacts, offset: int) -> None:
    clock = warning_notice_clock(facts, facts.issued_on + timedelta(days=offset))
    assert all(d.due >= facts.issued_on for d in clock.deadlines)
    if clock.window is not None:
        assert facts.compliance_ends_on < clock.window.opens_on <= clock.window.closes_on
        assert (clock.window.closes_on - facts.compliance_ends_on).days in range(28, 63)


@given(notices(), offsets)
def test_the_outcome_is_overdue_exactly_when_the_period_ended_undecided(
    facts: NoticeFacts, offset: int
) -> None:
    as_at = facts.issued_on + timedelta(days=offset)
    clock = warning_notice_clock(facts, as_at)
    decided = facts.outcome_on is not None and facts.outcome_on <= as_at
    expected = as_at > facts.compliance_ends_on and not decided
    assert (state(clock, "outcome") == DeadlineState.OVERDUE) is expected


@given(notices(), offsets)
def test_a_clock_knows_nothing_dated_after_its_as_at_date(facts: NoticeFacts, offset: int) -> None:
    as_at = facts.issued_on + timedelta(days=offset)
    clock = warning_notice_clock(facts, as_at)
    assert all(event.on <= as_at for event in clock.events)
    assert all(d.met_on is None or d.met_on <= as_at for d in clock.deadlines)


@given(notices(), offsets)
def test_the_next_deadline_is_the_earliest_pending_one(facts: NoticeFacts, offset: int) -> None:
    clock = warning_notice_clock(facts, facts.issued_on + timedelta(days=offset))
    pending = [d.due for d in clock.deadlines if d.pending]
    upcoming = clock.next_deadline
    assert (upcoming is None) is (not pending)
    if upcoming is not None:
        assert upcoming.due == min(pending)
        assert clock.days_remaining == (upcoming.due - clock.as_at).days


@given(notices(), offsets)
def test_a_timeline_is_in_date_order(facts: NoticeFacts, offset: int) -> None:
    entries = timeline(
        [("", warning_notice_clock(facts, facts.issued_on + timedelta(days=offset)))]
    )
    assert [e.on for e in entries] == sorted(e.on for e in entries)


@given(days, days, st.one_of(st.none(), days), st.booleans())
def test_a_deadline_is_overdue_iff_past_and_unmet(
    due: date, as_at: date, met_on: date | None, lapses: bool
) -> None:
    result = deadline("k", "text", due, as_at, met_on=met_on, lapses=lapses)
    met = met_on is not None and met_on <= as_at
    assert (result.state == DeadlineState.MET) is met
    assert (result.state == DeadlineState.OVERDUE) is (as_at > due and not met and not lapses)
    assert (result.state == DeadlineState.LAPSED) is (as_at > due and not met and lapses)
    assert result.days_remaining == (due - as_at).days


@given(days, offsets, st.one_of(st.none(), offsets), st.one_of(st.none(), offsets))
def test_a_concern_is_overdue_iff_an_answer_is_late(
    raised: date, offset: int, answered: int | None, referred: int | None
) -> None:
    facts = ConcernFacts(
        raised_on=raised,
        trust_response_on=None if answered is None else raised + timedelta(days=answered),
        referred_on=None if referred is None else raised + timedelta(days=referred),
    )
    as_at = raised + timedelta(days=offset)
    clock = academy_concern_clock(facts, as_at)
    trust_late = as_at > raised + timedelta(days=DEFAULT_POLICY.trust_response_days) and (
        facts.trust_response_on is None or facts.trust_response_on > as_at
    )
    rd_late = (
        facts.referred_on is not None
        and facts.referred_on <= as_at
        and as_at
        > facts.referred_on + timedelta(days=DEFAULT_POLICY.regional_director_response_days)
    )
    assert clock.overdue is (trust_late or rd_late)
    assert all(d.due >= raised for d in clock.deadlines)
