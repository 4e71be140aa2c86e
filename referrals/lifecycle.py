"""The referral lifecycle: which status may follow which.

suggested → referred → attended → engaged moves forward only (steps may be skipped: a person
may turn up on their own after a suggestion). A suggestion or referral can end as declined or
did not attend; any open referral can be closed. Declined, did not attend and closed are
final: if the person wants to try again, the CLP makes a new referral.
"""

from __future__ import annotations

from referrals.models.referral import OPEN_STATUSES, ReferralStatus

PROGRESS: list[str] = [
    ReferralStatus.SUGGESTED,
    ReferralStatus.REFERRED,
    ReferralStatus.ATTENDED,
    ReferralStatus.ENGAGED,
]
FINAL = (ReferralStatus.DECLINED, ReferralStatus.DID_NOT_ATTEND, ReferralStatus.CLOSED)
# Who did not take it up: only before anything happened at the organisation.
NOT_TAKEN_UP = {ReferralStatus.SUGGESTED, ReferralStatus.REFERRED}
# The organisation can only be asked about a referral that was made and is still open.
LINK_STATUSES = (ReferralStatus.REFERRED, ReferralStatus.ATTENDED, ReferralStatus.ENGAGED)
# Milestones recorded on the referral when it first reaches a status.
MILESTONES: dict[str, str] = {
    ReferralStatus.REFERRED: "referred_on",
    ReferralStatus.ATTENDED: "attended_on",
    ReferralStatus.ENGAGED: "engaged_on",
}


def next_statuses(current: str) -> list[str]:
    """Every status a referral in `current` may move to, in lifecycle order."""
    if current not in OPEN_STATUSES:
        return []
    ahead = PROGRESS[PROGRESS.index(current) + 1 :]
    ending = (
        [ReferralStatus.DECLINED, ReferralStatus.DID_NOT_ATTEND] if current in NOT_TAKEN_UP else []
    )
    return [*ahead, *ending, ReferralStatus.CLOSED]


def refusal(current: str, new: str) -> str | None:
    """Why a referral in `current` may not move to `new`, or None when it may."""
    if new not in ReferralStatus.values:
        return f"“{new}” is not a referral status."
    current_label = ReferralStatus(current).label.lower()
    new_label = ReferralStatus(new).label.lower()
    if new == current:
        return f"The referral is already {current_label}."
    if current in FINAL:
        return (
            f"This referral is {current_label}, so its status cannot change. "
            "Make a new referral if the person wants to try again."
        )
    if new in PROGRESS and PROGRESS.index(new) < PROGRESS.index(current):
        return f"A referral that is {current_label} cannot go back to {new_label}."
    if (
        new in (ReferralStatus.DECLINED, ReferralStatus.DID_NOT_ATTEND)
        and current not in NOT_TAKEN_UP
    ):
        return f"The person has already {current_label}; close the referral instead."
    return None


def milestones_for(new: str) -> list[str]:
    """Milestone fields reached by moving to `new`: engaging implies attending."""
    if new == ReferralStatus.ENGAGED:
        return ["attended_on", "engaged_on"]
    return [MILESTONES[new]] if new in MILESTONES else []
