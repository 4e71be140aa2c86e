from participants.models.assessment import (
    EQ5D_DIMENSIONS,
    HADS_ITEMS,
    ONS4_ITEMS,
    WEMWBS_ITEMS,
    Assessment,
    Timepoint,
)
from participants.models.consultation import Consultation, ConsultationMode, GoalProgress
from participants.models.flags import FlagKind, RiskFlag
from participants.models.followup import (
    OPEN_FOLLOW_UP_STATUSES,
    FollowUp,
    FollowUpStatus,
    ReminderSent,
)
from participants.models.needs import Need, NeedDomain, ParticipantNeed
from participants.models.participant import (
    CaseStatus,
    DischargeReason,
    Participant,
    PreferredContact,
    ReferenceSequence,
    ReferredBy,
    Sex,
    StatusChange,
)
from participants.models.simd import SimdPostcode

__all__ = [
    "EQ5D_DIMENSIONS",
    "HADS_ITEMS",
    "ONS4_ITEMS",
    "OPEN_FOLLOW_UP_STATUSES",
    "WEMWBS_ITEMS",
    "Assessment",
    "CaseStatus",
    "Consultation",
    "ConsultationMode",
    "DischargeReason",
    "FlagKind",
    "FollowUp",
    "FollowUpStatus",
    "GoalProgress",
    "Need",
    "NeedDomain",
    "Participant",
    "ParticipantNeed",
    "PreferredContact",
    "ReferenceSequence",
    "ReferredBy",
    "ReminderSent",
    "RiskFlag",
    "Sex",
    "SimdPostcode",
    "StatusChange",
    "Timepoint",
]
