"""Partnership services: structures in tiers, dated memberships, meetings and attendance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from convenor.brokerage.models import (
    MeetingAttendance,
    MemberRole,
    Partnership,
    PartnershipKind,
    PartnershipMembership,
    Strength,
)
from convenor.brokerage.services import (
    add_member,
    create_partnership,
    end_membership,
    end_partnership,
    record_attendance,
    record_meeting,
)
from convenor.brokerage.tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    hampshire_school,
    latest_event,
)
from convenor.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    hampshire_school()  # LA 850 and a Winchester school, so the area is a district
    return UserFactory.create(username="officer")


def _board(officer) -> Partnership:
    return create_partnership(
        actor=officer,
        la_code=850,
        kind=PartnershipKind.AREA_BOARD,
        name=" Winchester area board ",
        area="Winchester",
        starts=date(2018, 9, 1),
    )


def test_it_creates_a_structure_under_a_parent_of_a_higher_tier_and_audits_it(officer) -> None:
    board = _board(officer)
    cluster = create_partnership(
        actor=officer,
        la_code=850,
        kind=PartnershipKind.CLUSTER,
        name="Itchen cluster",
        parent=board,
        starts=date(2019, 1, 1),
    )
    assert board.name == "Winchester area board" and board.tier == 2
    assert cluster.parent == board and cluster.tier == 1
    event = latest_event("partnership.created")
    assert event.actor == officer
    assert event.detail["parent"] == board.pk and event.detail["kind"] == "cluster"


def test_it_refuses_a_parent_of_a_lower_tier_an_unknown_area_or_la(officer) -> None:
    cluster = PartnershipFactory.create(kind=PartnershipKind.CLUSTER)
    with pytest.raises(ValidationError) as error:
        create_partnership(
            actor=officer,
            la_code=850,
            kind=PartnershipKind.AREA_BOARD,
            name="Board",
            area="Atlantis",
            parent=cluster,
            starts=date(2019, 1, 1),
        )
    assert set(error.value.message_dict) == {"parent", "area"}
    assert "district 'Atlantis'" in error.value.message_dict["area"][0]
    with pytest.raises(ValidationError) as error:
        create_partnership(
            actor=officer, la_code=999, kind="club", name="", starts=date(2019, 1, 1)
        )
    assert set(error.value.message_dict) == {"la_code", "kind", "name"}
    assert Partnership.objects.count() == 1


def test_it_refuses_a_parent_not_running_on_the_start_date(officer) -> None:
    board = PartnershipFactory.create(
        kind=PartnershipKind.AREA_BOARD, starts=date(2019, 1, 1), ends=date(2019, 6, 30)
    )
    with pytest.raises(ValidationError, match="not running on the start date"):
        create_partnership(
            actor=officer,
            la_code=850,
            kind=PartnershipKind.CLUSTER,
            name="Late cluster",
            parent=board,
            starts=date(2019, 9, 1),
        )


def test_it_adds_members_with_roles_and_refuses_overlapping_dates(officer) -> None:
    board = _board(officer)
    school = hampshire_school()
    chair = add_member(
        board,
        actor=officer,
        urn=school.urn,
        role=MemberRole.CHAIR,
        strength=Strength.FORMAL,
        starts=date(2018, 9, 1),
        ends=date(2019, 8, 31),
    )
    assert chair.role == "chair" and chair.in_force(date(2019, 1, 1))
    with pytest.raises(ValidationError, match="already a member"):
        add_member(board, actor=officer, urn=school.urn, starts=date(2019, 8, 1))
    later = add_member(
        board, actor=officer, urn=school.urn, starts=date(2019, 9, 1), strength=Strength.WEAK
    )
    assert later.strength == "weak"
    event = latest_event("partnership.member_added")
    assert event.detail["urn"] == school.urn


def test_it_refuses_a_member_unknown_to_the_register_or_before_the_start(officer) -> None:
    board = _board(officer)
    with pytest.raises(ValidationError) as error:
        add_member(board, actor=officer, urn=1, starts=date(2018, 1, 1))
    assert set(error.value.message_dict) == {"urn", "starts"}
    assert PartnershipMembership.objects.count() == 0


def test_ending_a_structure_ends_its_open_memberships_but_not_while_children_run(
    officer,
) -> None:
    board = _board(officer)
    cluster = PartnershipFactory.create(parent=board, starts=date(2019, 1, 1))
    member = MembershipFactory.create(partnership=board, starts=date(2018, 9, 1))
    with pytest.raises(ValidationError, match=f"structures under it first: {cluster.name}"):
        end_partnership(board, actor=officer, ends=date(2020, 3, 31))
    end_partnership(cluster, actor=officer, ends=date(2020, 3, 31))
    end_partnership(board, actor=officer, ends=date(2020, 3, 31))
    member.refresh_from_db()
    board.refresh_from_db()
    assert board.ends == member.ends == date(2020, 3, 31)
    event = latest_event("partnership.ended")
    assert event.detail["memberships_ended"] == [member.pk]
    with pytest.raises(ValidationError, match="already ended"):
        end_partnership(board, actor=officer, ends=date(2020, 4, 1))


def test_it_ends_a_membership_once_and_not_before_it_started(officer) -> None:
    member = MembershipFactory.create(starts=date(2019, 1, 1))
    with pytest.raises(ValidationError, match="cannot be before"):
        end_membership(member, actor=officer, ends=date(2018, 12, 31))
    end_membership(member, actor=officer, ends=date(2019, 12, 31))
    assert member.ends == date(2019, 12, 31)
    with pytest.raises(ValidationError, match="already ended"):
        end_membership(member, actor=officer, ends=date(2020, 1, 31))


def test_it_records_a_meeting_with_attendance_and_corrects_an_answer(officer) -> None:
    one = MembershipFactory.create()
    two = MembershipFactory.create(partnership=one.partnership)
    meeting = record_meeting(
        one.partnership,
        actor=officer,
        held_on=date(2019, 10, 3),
        title=" Autumn cluster meeting ",
        attendance={one.urn: True, two.urn: False},
    )
    assert meeting.title == "Autumn cluster meeting"
    assert dict(meeting.attendance.values_list("urn", "attended")) == {
        one.urn: True,
        two.urn: False,
    }
    record_attendance(meeting, actor=officer, attendance={two.urn: True})
    assert MeetingAttendance.objects.get(urn=two.urn).attended is True
    event = latest_event("partnership.attendance_recorded")
    assert event.detail["corrected"] == {str(two.urn): [False, True]}


def test_it_refuses_attendance_for_schools_not_members_on_the_day(officer) -> None:
    member = MembershipFactory.create(starts=date(2019, 9, 1))
    outsider = hampshire_school()
    meeting = record_meeting(
        member.partnership, actor=officer, held_on=date(2019, 10, 3), title="Meeting"
    )
    with pytest.raises(ValidationError, match=str(outsider.urn)):
        record_attendance(meeting, actor=officer, attendance={outsider.urn: True})
    assert not MeetingAttendance.objects.exists()


def test_it_refuses_a_meeting_in_the_future_or_outside_the_structure_s_dates(officer) -> None:
    board = PartnershipFactory.create(starts=date(2019, 1, 1))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        record_meeting(
            board,
            actor=officer,
            held_on=timezone.localdate() + timedelta(days=1),
            title="Next week",
        )
    with pytest.raises(ValidationError, match="not running on that date"):
        record_meeting(board, actor=officer, held_on=date(2018, 6, 1), title="Before")
