from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest, short_dates, url_maker
from accounts.rows import render_rows
from participants.access import participants_editable_by
from participants.followups import followup_close
from participants.forms import DateInput
from participants.models import FollowUp, FollowUpStatus
from participants.selectors import Worklist, followup_worklist, practice_followups
from participants.views.common import audit_page, audit_worklist
from practices.roles import caseload_required, clp_required, roles_of

STATE_FILTERS = [
    ("", "All open"),
    (FollowUpStatus.OVERDUE.value, "Overdue"),
    (FollowUpStatus.DUE.value, "Due"),
]


def _with_links(worklist: Worklist) -> Worklist:
    """Each row's links and dates, made here once a page rather than by `{% url %}` and
    `|date` in each of up to a hundred rows (a third of the page's rendering)."""
    detail = url_maker("participants:detail")
    record = url_maker("participants:new_assessment")
    close = url_maker("followups:close")
    short = short_dates()
    for follow_up in (*worklist.overdue, *worklist.due_now, *worklist.due_soon):
        ref = follow_up.participant.ref
        follow_up.detail_url = detail(ref)
        follow_up.record_url = record(ref)
        follow_up.close_url = close(follow_up.pk)
        follow_up.baseline_label = short(follow_up.baseline_on)
        follow_up.due_label = short(follow_up.due_on)
    return worklist


@caseload_required
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A CLP's own worklist, with its actions; for a practice manager (or an administrator)
    the practice's open follow-ups read-only: who, with which CLP, due when, in what state,
    and never a note or a reason."""
    roles = roles_of(request.user)
    if roles.is_clp:
        own = followup_worklist(user=request.user, page=request.GET.get("page"))
        audit_worklist(request, own, page="follow-up worklist")
        sections = render_rows(
            "participants/worklist_sections.jinja", {"worklist": _with_links(own)}
        )
        return render(
            request,
            "participants/worklist.html",
            {"worklist": own, "sections": sections, "today": timezone.localdate()},
        )
    state = request.GET.get("state", "")
    state = state if state in dict(STATE_FILTERS) else ""
    practice = practice_followups(user=request.user, state=state, page=request.GET.get("page"))
    audit_worklist(request, practice, page="practice follow-ups")
    return render(
        request,
        "participants/practice_followups.html",
        {
            "worklist": practice,
            "state": state,
            "querystring": f"state={state}" if state else "",
            "states": STATE_FILTERS,
        },
    )


class CloseFollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            (FollowUpStatus.MISSED, "Missed: could not be reached or did not come"),
            (FollowUpStatus.DECLINED, "Declined: did not want to complete it"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(max_length=255, label="Reason")
    on = forms.DateField(label="Date", widget=DateInput())


@clp_required
@require_http_methods(["GET", "POST"])
def close_followup(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        follow_up = FollowUp.objects.select_related("participant").get(
            pk=pk, participant__in=participants_editable_by(request.user)
        )
    except FollowUp.DoesNotExist:
        raise Http404("No such follow-up.") from None
    form = CloseFollowUpForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            followup_close(
                user=request.user,
                request=request,
                follow_up=follow_up,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Follow-up of {follow_up.participant.ref} recorded.")
            return redirect("followups:worklist")
    audit_page(request, follow_up.participant, "close follow-up")
    return render(
        request, "participants/followup_close.html", {"form": form, "follow_up": follow_up}
    )
