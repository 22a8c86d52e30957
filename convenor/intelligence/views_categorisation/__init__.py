"""Category pages: the review list, a school's proposal and decision, the frameworks.

Who may do what is docs/adr/0008-categorisation-framework.md, worked out by
:func:`convenor.intelligence.categorisation.category_scope`. Schools are loaded through
``get_establishment_for_user(restricted=True)``: an unknown school is 404, a school
outside the user's scope 403. Reasons drawn from soft intelligence are shown only to
those who read the restricted entries they count (ADR 0006), and showing them is
audited. Model risk comes from the newest stored score run dated on or before the
page's date; a page never fits a model. Every change goes through the services of
:mod:`convenor.intelligence.categorisation`.

- :mod:`.review_pages`: the review list and its CSV;
- :mod:`.school_page`: a school's proposal, decision and history;
- :mod:`.framework_pages`: the frameworks, one version, a new version.
"""

from convenor.intelligence.views_categorisation.common import (
    FRAMEWORK_READER_ROLES,
    FRAMEWORK_SETTER_ROLES,
    REVIEWER_ROLES,
    SCHOOL_ROLES,
)
from convenor.intelligence.views_categorisation.framework_pages import (
    framework,
    framework_create,
    frameworks,
)
from convenor.intelligence.views_categorisation.review_pages import review_list, review_list_csv
from convenor.intelligence.views_categorisation.school_page import school

__all__ = [
    "FRAMEWORK_READER_ROLES",
    "FRAMEWORK_SETTER_ROLES",
    "REVIEWER_ROLES",
    "SCHOOL_ROLES",
    "framework",
    "framework_create",
    "frameworks",
    "review_list",
    "review_list_csv",
    "school",
]
