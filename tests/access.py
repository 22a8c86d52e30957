"""Who gets what from every route: the table ``tests/test_routes.py`` checks.

Every named route outside ``admin/`` needs an entry here, with the status a
GET returns to each principal: an anonymous visitor, a signed-in user with no
role, and a user holding each :class:`~convenor.core.models.Role`. Signed-in
users are scoped to the one Hampshire school the test builds (URN 116336, LA
850, district Gosport), so "in scope" means that school.

For an anonymous visitor, 302 on a guarded route means "sent to sign in", and
the test checks that it goes there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from convenor.core.models import Role

ANONYMOUS = "anonymous"
NO_ROLE = "no_role"
PRINCIPALS: tuple[str, ...] = (ANONYMOUS, NO_ROLE, *Role.values)

# The school every signed-in principal's scope is built around.
SCHOOL_URN = 116336
SCHOOL_DISTRICT = "Gosport"
LA_CODE = 850
# The academy trust the route test builds, with the school above as its member.
GROUP_UID = 990_101

# A user the route test builds with this fixed primary key, for the routes that name a
# user. Far above any key a test run reaches, since PostgreSQL never rewinds a sequence.
SUBJECT_USER_PK = 990_001
SUBJECT_USERNAME = "route-test-subject"
# A soft intelligence entry id no route test creates.
NO_SUCH_ENTRY = 990_201
# A brokerage row id (provider, request, match, plan) no route test creates.
NO_SUCH_ROW = 990_501
# Brokerage (ADR 0011): who reads the directory, and who reads plans.
DIRECTORY = tuple(role for role in Role if role != Role.ELECTED_MEMBER)
PLAN_READERS = (Role.LA_OFFICER, Role.BOARD_MEMBER, Role.SCHOOL_LEADER, Role.SYSTEM_LEADER)


@dataclass(frozen=True)
class RouteAccess:
    """Expected status per principal, and the URL kwargs to reverse the route with."""

    expect: Mapping[str, int]
    kwargs: Mapping[str, object] = field(default_factory=dict)


def for_roles(*roles: Role, ok: int = 200) -> dict[str, int]:
    """``ok`` for ``roles``, 403 for other signed-in users, sign-in for anonymous visitors."""
    return {
        ANONYMOUS: 302,
        NO_ROLE: 403,
        **{role.value: ok if role in roles else 403 for role in Role},
    }


def for_everyone(ok: int = 200) -> dict[str, int]:
    """``ok`` for every principal, signed in or not (a public page)."""
    return dict.fromkeys(PRINCIPALS, ok)


def public_page(anonymous: int = 200, signed_in: int = 200) -> dict[str, int]:
    """A public page that answers signed-in users differently (sign-in redirects them on)."""
    return {principal: signed_in for principal in PRINCIPALS} | {ANONYMOUS: anonymous}


ACCESS: dict[str, RouteAccess] = {
    "schools:home": RouteAccess(expect=for_roles(*Role)),
    "schools:list": RouteAccess(expect=for_roles(*Role)),
    "schools:list-csv": RouteAccess(expect=for_roles(*Role)),
    "schools:profile": RouteAccess(expect=for_roles(*Role), kwargs={"urn": SCHOOL_URN}),
    "schools:group": RouteAccess(expect=for_roles(*Role), kwargs={"uid": GROUP_UID}),
    "schools:compare": RouteAccess(expect=for_roles(*Role)),
    "core:sign-in": RouteAccess(expect=public_page(signed_in=302)),
    "core:sign-out": RouteAccess(expect=for_everyone(405)),  # POST only
    "core:health": RouteAccess(expect=for_everyone(200)),
    "core:audit": RouteAccess(expect=for_roles(Role.ADMINISTRATOR)),
    "core:users": RouteAccess(expect=for_roles(Role.ADMINISTRATOR)),
    "core:user-create": RouteAccess(expect=for_roles(Role.ADMINISTRATOR)),
    "core:user-detail": RouteAccess(
        expect=for_roles(Role.ADMINISTRATOR), kwargs={"pk": SUBJECT_USER_PK}
    ),
    # POST only: administrators asking by GET are refused before anything changes.
    "core:user-revoke-role": RouteAccess(
        expect=for_roles(Role.ADMINISTRATOR, ok=405), kwargs={"pk": SUBJECT_USER_PK}
    ),
    "core:user-deactivate": RouteAccess(
        expect=for_roles(Role.ADMINISTRATOR, ok=405), kwargs={"pk": SUBJECT_USER_PK}
    ),
    "core:user-reactivate": RouteAccess(
        expect=for_roles(Role.ADMINISTRATOR, ok=405), kwargs={"pk": SUBJECT_USER_PK}
    ),
    # Soft intelligence (docs/adr/0006): the LA's officers and, for their area, board
    # members; never school leaders, administrators or elected members.
    "intelligence:school": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.INCLUSION_OFFICER, Role.BOARD_MEMBER),
        kwargs={"urn": SCHOOL_URN},
    ),
    # The route test makes no entries, so those who may act on one find none (404).
    "intelligence:withdraw": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.INCLUSION_OFFICER, ok=404),
        kwargs={"urn": SCHOOL_URN, "pk": NO_SUCH_ENTRY},
    ),
    "intelligence:follow-up": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.INCLUSION_OFFICER, ok=404),
        kwargs={"urn": SCHOOL_URN, "pk": NO_SUCH_ENTRY},
    ),
    "intelligence:concerns": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.INCLUSION_OFFICER, Role.BOARD_MEMBER)
    ),
    "intelligence:concerns-csv": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.INCLUSION_OFFICER, Role.BOARD_MEMBER)
    ),
    "intelligence:rules": RouteAccess(
        expect=for_roles(
            Role.LA_OFFICER, Role.INCLUSION_OFFICER, Role.BOARD_MEMBER, Role.ADMINISTRATOR
        )
    ),
    "intelligence:rule-create": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.ADMINISTRATOR)),
    # Interventions (docs/adr/0007): LA officers manage their LA's cases; school leaders
    # read their own school's. The route test's school is a community school, so it can
    # have no academy concern (404), and the test makes no cases: case pages find none
    # (990_301 is a case id no route test creates).
    "interventions:list": RouteAccess(expect=for_roles(Role.LA_OFFICER)),
    "interventions:list-csv": RouteAccess(expect=for_roles(Role.LA_OFFICER)),
    "interventions:school": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER), kwargs={"urn": SCHOOL_URN}
    ),
    "interventions:warning-notice-create": RouteAccess(
        expect=for_roles(Role.LA_OFFICER), kwargs={"urn": SCHOOL_URN}
    ),
    "interventions:ieb-create": RouteAccess(
        expect=for_roles(Role.LA_OFFICER), kwargs={"urn": SCHOOL_URN}
    ),
    "interventions:academy-concern-create": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, ok=404), kwargs={"urn": SCHOOL_URN}
    ),
    "interventions:warning-notice": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER, ok=404), kwargs={"pk": 990_301}
    ),
    "interventions:warning-notice-step": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, ok=404), kwargs={"pk": 990_301, "step": "outcome"}
    ),
    "interventions:ieb": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER, ok=404), kwargs={"pk": 990_301}
    ),
    "interventions:ieb-step": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, ok=404), kwargs={"pk": 990_301, "step": "consent"}
    ),
    "interventions:academy-concern": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER, ok=404), kwargs={"pk": 990_301}
    ),
    "interventions:academy-concern-step": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, ok=404), kwargs={"pk": 990_301, "step": "close"}
    ),
    # Categorisation (docs/adr/0008): LA officers and board members review their schools;
    # a school leader sees only their own school's category; administrators set the
    # frameworks, which reviewers read. The route test makes no framework, so a version
    # page finds none (990_401 is an id no route test creates).
    "categories:list": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)),
    "categories:list-csv": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)),
    "categories:school": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, Role.SCHOOL_LEADER),
        kwargs={"urn": SCHOOL_URN},
    ),
    "categories:frameworks": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, Role.ADMINISTRATOR)
    ),
    "categories:framework": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, Role.ADMINISTRATOR, ok=404),
        kwargs={"pk": 990_401},
    ),
    "categories:framework-create": RouteAccess(expect=for_roles(Role.ADMINISTRATOR)),
    # The risk dashboard shows model risk to those who review categories (ADR 0008); the
    # timeline opens to whoever may read some restricted intelligence about the school:
    # reviewers, soft intelligence readers (ADR 0006), and its leaders (their category
    # and cases, ADRs 0007 and 0008). The route test stores no run: the page says so.
    "risk:dashboard": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)),
    "risk:csv": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)),
    "risk:timeline": RouteAccess(
        expect=for_roles(
            Role.LA_OFFICER, Role.BOARD_MEMBER, Role.INCLUSION_OFFICER, Role.SCHOOL_LEADER
        ),
        kwargs={"urn": SCHOOL_URN},
    ),
    # Brokerage: the directory, requests, the board and plans (ADR 0011).
    # Every role but elected members reads the directory; brokers (LA officers, board
    # members) and the school's leaders read requests; brokers see the board; LA officers
    # run the matching and make plans; providers (system leaders) also read the plans they
    # deliver. The route test makes no brokerage rows: 990_501 is an id none has (404).
    "brokerage:index": RouteAccess(expect=for_roles(*DIRECTORY)),
    "brokerage:directory": RouteAccess(expect=for_roles(*DIRECTORY)),
    "brokerage:provider-add": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER)),
    "brokerage:provider": RouteAccess(
        expect=for_roles(*DIRECTORY, ok=404), kwargs={"pk": NO_SUCH_ROW}
    ),
    "brokerage:provider-edit": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER, Role.SYSTEM_LEADER, ok=404),
        kwargs={"pk": NO_SUCH_ROW},
    ),
    "brokerage:requests": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, Role.SCHOOL_LEADER)
    ),
    "brokerage:request": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, Role.SCHOOL_LEADER, ok=404),
        kwargs={"pk": NO_SUCH_ROW},
    ),
    "brokerage:request-withdraw": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER, ok=404), kwargs={"pk": NO_SUCH_ROW}
    ),
    "brokerage:request-start": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER)),
    "brokerage:request-create": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER), kwargs={"urn": SCHOOL_URN}
    ),
    "brokerage:board": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)),
    "brokerage:board-run": RouteAccess(expect=for_roles(Role.LA_OFFICER)),
    "brokerage:match": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, ok=404), kwargs={"pk": NO_SUCH_ROW}
    ),
    "brokerage:match-decide": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, ok=404),
        kwargs={"pk": NO_SUCH_ROW, "decision": "approve"},
    ),
    "brokerage:plan-create": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, ok=404), kwargs={"pk": NO_SUCH_ROW}
    ),
    "brokerage:plans": RouteAccess(expect=for_roles(*PLAN_READERS)),
    "brokerage:plan": RouteAccess(
        expect=for_roles(*PLAN_READERS, ok=404), kwargs={"pk": NO_SUCH_ROW}
    ),
    "brokerage:plan-step": RouteAccess(
        expect=for_roles(*PLAN_READERS, ok=404), kwargs={"pk": NO_SUCH_ROW, "step": "visit"}
    ),
    # Partnerships: structures, meetings, connectedness, impact and credits (ADR 0011).
    # Every role but elected members reads the structures; LA officers manage them and,
    # with board members, record meetings. The connectedness view and impact report are
    # for those who broker; credits and traded services for LA officers and school
    # leaders. The route test makes no structure or account (990_501 to 990_503 are ids
    # no route test creates), so those allowed find none (404).
    "partnerships:list": RouteAccess(
        expect=for_roles(*(r for r in Role if r != Role.ELECTED_MEMBER))
    ),
    "partnerships:create": RouteAccess(expect=for_roles(Role.LA_OFFICER)),
    "partnerships:structure": RouteAccess(
        expect=for_roles(*(r for r in Role if r != Role.ELECTED_MEMBER), ok=404),
        kwargs={"pk": 990_501},
    ),
    "partnerships:member-add": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, ok=404), kwargs={"pk": 990_501}
    ),
    "partnerships:member-end": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, ok=404), kwargs={"pk": 990_501, "member": 990_502}
    ),
    "partnerships:meeting-create": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER, ok=404), kwargs={"pk": 990_501}
    ),
    "partnerships:connectedness": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)),
    "partnerships:connectedness-csv": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)
    ),
    "partnerships:impact": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.BOARD_MEMBER)),
    "partnerships:credits": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER)),
    "partnerships:statement": RouteAccess(
        expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER, ok=404), kwargs={"pk": 990_503}
    ),
    "partnerships:exchange": RouteAccess(expect=for_roles(Role.LA_OFFICER)),
    "partnerships:traded": RouteAccess(expect=for_roles(Role.LA_OFFICER, Role.SCHOOL_LEADER)),
}


def principal_user(principal: str) -> Any:
    """A new user for ``principal`` (not anonymous), holding its role scoped to the test school."""
    from django.contrib.auth import get_user_model

    from convenor.core.models import ROLE_SCOPE
    from convenor.core.services import assign_role

    user = get_user_model().objects.create_user(principal)
    if principal != NO_ROLE:
        needed = ROLE_SCOPE[principal].required
        assign_role(
            user,
            Role(principal),
            actor="route test",
            la_code=LA_CODE if "la_code" in needed else None,
            area=SCHOOL_DISTRICT if "area" in needed else "",
            school_urn=SCHOOL_URN if "school_urn" in needed else None,
        )
    return user
