"""Reading what the lead's screens show: staff and their invitations, practices' choices,
and the staff survey's results with disclosure control. No participant rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from practices.models import (
    Attachment,
    Practice,
    StaffRole,
    StaffSurveyResponse,
    StaffSurveyRound,
)
from practices.roles import roles_of
from programme.models import Invitation
from reports.suppression import Suppressor


def staff_list() -> QuerySet[User]:
    """Everyone with an account, their current attachments and their newest invitation.
    Three queries whatever the number of people."""
    newest = Invitation.objects.filter(user=OuterRef("pk")).order_by("-sent_at", "-id")
    return (
        User.objects.annotate(
            invitation_id=Subquery(newest.values("pk")[:1]),
            invitation_sent_at=Subquery(newest.values("sent_at")[:1]),
            invitation_pending=Subquery(
                newest.filter(withdrawn_at=None, accepted_at=None).values("pk")[:1]
            ),
        )
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.current().select_related("practice"),
                to_attr="current_attachments",
            )
        )
        .order_by("-is_active", "full_name", "username")
    )


def staff_state(person: User) -> str:
    """What the staff list says about a person's account."""
    if not person.is_active:
        return "Deactivated"
    if person.last_login is None:
        return "Invited, not yet signed in"
    return "Signs in"


def pending_invitations() -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(withdrawn_at=None, accepted_at=None, user__is_active=True)
        .select_related("user", "invited_by")
        .order_by("-sent_at")
    )


def staff_member(pk: int) -> User:
    return User.objects.prefetch_related(
        Prefetch(
            "attachments",
            queryset=Attachment.objects.select_related("practice").order_by(
                "-started_on", "practice__name"
            ),
        )
    ).get(pk=pk)


@dataclass
class SurveyPracticeRow:
    practice: Practice
    responses: str
    wellbeing: dict[str, str] = field(default_factory=dict)
    give_up: dict[str, str] = field(default_factory=dict)


def survey_round_results(
    survey_round: StaffSurveyRound,
) -> tuple[list[SurveyPracticeRow], str]:
    """Per practice in the programme during the round: how many answered and how they
    answered, each group of counts suppressed with its total (`reports.suppression`). Two
    queries whatever the number of practices or answers. Also returns the round's total, as
    shown beside them."""
    s = Suppressor.from_settings()
    counts = {
        row["practice_id"]: row
        for row in StaffSurveyResponse.objects.filter(round=survey_round)
        .values("practice_id")
        .annotate(
            n=Count("pk"),
            wellbeing=Count("pk", filter=Q(wellbeing_activities=True)),
            give_up=Count("pk", filter=Q(give_up_within_5y=True)),
        )
        .order_by()
    }
    practices = Practice.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=survey_round.opened_on)
    ) | Practice.objects.filter(pk__in=list(counts))
    practices_in_round = list(practices.distinct().order_by("name"))
    empty = {"n": 0, "wellbeing": 0, "give_up": 0}
    # The practices' numbers of answers are a group with the round's total beside them: one
    # hidden practice must not be left to subtraction.
    answered = s.group(
        {str(p.pk): counts.get(p.pk, empty)["n"] for p in practices_in_round},
        total=sum(row["n"] for row in counts.values()),
    )
    rows = []
    for practice in practices_in_round:
        row = counts.get(practice.pk, empty)
        n, responses = row["n"], answered[str(practice.pk)]
        wellbeing = s.group({"yes": row["wellbeing"], "no": n - row["wellbeing"]}, total=n)
        give_up = s.group({"yes": row["give_up"], "no": n - row["give_up"]}, total=n)
        if responses == s.label:
            # Hidden to protect another practice: its answers would give the number away.
            wellbeing = give_up = {"yes": s.label, "no": s.label, "total": s.label}
        rows.append(
            SurveyPracticeRow(
                practice=practice, responses=responses, wellbeing=wellbeing, give_up=give_up
            )
        )
    return rows, answered["total"]


def survey_rounds() -> QuerySet[StaffSurveyRound]:
    return StaffSurveyRound.objects.annotate(answers=Count("responses")).order_by("-year")


def current_attachment(pk: int) -> Attachment:
    """A staff attachment that has not ended, with its person and practice; 404 otherwise."""
    return get_object_or_404(
        Attachment.objects.select_related("user", "practice").filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=timezone.localdate())
        ),
        pk=pk,
    )


def clp_colleagues(attachment: Attachment) -> QuerySet[User]:
    """The other current CLPs of the attachment's practice: who can take its caseload."""
    return User.objects.filter(
        is_active=True,
        pk__in=Attachment.objects.current()
        .filter(practice=attachment.practice, role=StaffRole.CLP)
        .exclude(user=attachment.user)
        .values("user_id"),
    )


def survey_link_practices(*, user: User) -> QuerySet[Practice]:
    """Practices whose survey links the user shares: a manager's own, or every practice in
    the programme for an administrator."""
    roles = roles_of(user)
    practices = Practice.objects.in_programme()
    return practices if roles.administrator else practices.filter(pk__in=roles.manager_practice_ids)


def open_survey_rounds() -> list[StaffSurveyRound]:
    return [r for r in StaffSurveyRound.objects.filter(closed_at=None) if r.is_open()]
