"""State changes of intervention casework: warning notices, interim executive boards and
concerns about academies.

Every function is atomic, takes the acting user as ``actor=``, checks the law as
:mod:`convenor.intelligence.interventions` states it, and writes its audit event.
Problems are one ``ValidationError`` keyed by argument name (a form shows each
beside its field; ``__all__`` for the case as a whole). Recorded steps are not
edited afterwards: a case's history is what happened, in order.

Dates of things that happened cannot be in the future. The dates a notice or a
board sets for later (the end of the compliance period, the day a board takes over)
can.
"""

from __future__ import annotations

from convenor.intelligence.services_interventions.boards import (
    NOTICE_GROUNDS,
    constitute_ieb,
    end_ieb,
    propose_ieb,
    record_ieb_consent,
    request_ieb_consent,
)
from convenor.intelligence.services_interventions.concerns import (
    close_academy_concern,
    raise_academy_concern,
    record_rd_response,
    record_trust_response,
    refer_to_regional_director,
)
from convenor.intelligence.services_interventions.notices import (
    give_warning_notice,
    record_copy_sent,
    record_outcome,
    record_reasonable_notice,
    record_representations,
    required_copies,
)
from convenor.intelligence.services_interventions.powers import (
    record_dfe_notified,
    record_power_used,
)

__all__ = [
    "NOTICE_GROUNDS",
    "close_academy_concern",
    "constitute_ieb",
    "end_ieb",
    "give_warning_notice",
    "propose_ieb",
    "raise_academy_concern",
    "record_copy_sent",
    "record_dfe_notified",
    "record_ieb_consent",
    "record_outcome",
    "record_power_used",
    "record_rd_response",
    "record_reasonable_notice",
    "record_representations",
    "record_trust_response",
    "refer_to_regional_director",
    "request_ieb_consent",
    "required_copies",
]
