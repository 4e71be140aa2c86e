"""Referrals: the list, making one, and the referral's own page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest, short_dates, url_maker
from accounts.params import int_param
from accounts.rows import render_rows
from audit.models import Action
from audit.services import audit_list_view, audit_record
from practices.roles import caseload_required, clp_required
from referrals import lifecycle
from referrals.access import can_read_referral_notes, get_referral_for, referrals_editable_by
from referrals.forms import ReferralForm, add_service_error
from referrals.models import CommunityResource, ReferralStatus
from referrals.selectors import (
    feedback_answers_for,
    referable_participants,
    referral_history,
    referral_links,
    referral_listing,
)
from referrals.services import feedback_mark_read, referral_create
from referrals.templatetags.referral_display import status_badge
from referrals.views.common import query_without_page


def _answer(referral) -> str:
    """The organisation's answer in a word or two, or a dash when there is none yet."""
    if not referral.has_feedback:
        return "—"
    said = "Attended" if referral.feedback_attended else "Did not attend"
    return f"{said}, engaged" if referral.feedback_engaged else said


@caseload_required
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    listing = referral_listing(user=request.user, status=status)
    page = Paginator(listing, settings.LINKS_PAGE_SIZE).get_page(request.GET.get("page"))
    # Each row's link, date, status label and answer made here once a page, not by a
    # `{% url %}`, a `|date` and an include in every row.
    detail = url_maker("referrals:detail")
    short = short_dates()
    labels = dict(ReferralStatus.choices)
    for referral in page.object_list:
        referral.detail_url = detail(referral.pk)  # type: ignore[attr-defined]
        referral.date_label = short(referral.date)  # type: ignore[attr-defined]
        referral.status_label = labels.get(referral.status, referral.status)  # type: ignore[attr-defined]
        referral.answer_label = _answer(referral)  # type: ignore[attr-defined]
        referral.badge = status_badge(referral.status)  # type: ignore[attr-defined]
    audit_list_view(
        request=request, page="referrals", refs=(r.participant.ref for r in page.object_list)
    )
    return render(
        request,
        "referrals/list.html",
        {
            "page": page,
            "rows": render_rows("referrals/list_rows.jinja", {"rows": page.object_list}),
            "status": status,
            "statuses": ReferralStatus.choices,
            "querystring": query_without_page(request),
        },
    )


@clp_required
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    participants = referable_participants(user=request.user)
    resources = CommunityResource.objects.filter(active=True)
    initial: dict[str, object] = {}
    # Coming from a participant's page or a service's page: both must be in reach, or 404.
    ref = request.GET.get("participant")
    if ref:
        if not participants.filter(ref=ref).exists():
            raise Http404("No such participant.")
        initial["participant"] = ref
    resource_id = int_param(request.GET.get("resource"))
    if request.GET.get("resource"):
        if resource_id is None or not resources.filter(pk=resource_id).exists():
            raise Http404("No such service.")
        initial["resource"] = resource_id
    form = ReferralForm(
        request.POST or None, initial=initial, participants=participants, resources=resources
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = referral_create(
                user=request.user,
                request=request,
                participant=data["participant"],
                resource=data["resource"],
                on=data["on"],
                status=data["status"],
                need=data["need"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{referral.get_status_display()}: {referral.participant.first_name} to "
                f"{referral.resource.name}.",
            )
            return redirect("referrals:detail", pk=referral.pk)
    # The form offers every referable participant by name: a list of them, read once more
    # for their refs (one query, whatever their number).
    audit_list_view(
        request=request,
        page="new referral",
        refs=participants.values_list("ref", flat=True),
    )
    return render(request, "referrals/referral_form.html", {"form": form})


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # No role gate: the scoped lookup answers 404 for anyone the referral is not visible to.
    referral = get_referral_for(request.user, pk)
    audit_record(request=request, action=Action.VIEW, obj=referral)
    # The referring CLP opening the page has read the organisation's answer.
    feedback_mark_read(user=request.user, referral=referral)
    can_edit = referrals_editable_by(request.user).filter(pk=referral.pk).exists()
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "participant": referral.participant,
            "history": referral_history(referral=referral),
            "links": referral_links(referral=referral) if can_edit else [],
            "show_notes": can_read_referral_notes(request.user, referral),
            "can_edit": can_edit,
            "can_move": can_edit and bool(lifecycle.next_statuses(referral.status)),
            "can_issue_link": can_edit and referral.status in lifecycle.LINK_STATUSES,
        },
    )


@clp_required
def feedback_answers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What organisations said about the CLP's referrals, the ones not yet opened first."""
    answers = list(feedback_answers_for(user=request.user))
    audit_list_view(request=request, page="answers", refs=(r.participant.ref for r in answers))
    return render(request, "referrals/answers.html", {"answers": answers})
