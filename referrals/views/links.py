"""Issuing and withdrawing the organisation's feedback link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from audit.models import Action
from audit.services import audit_record
from practices.roles import clp_required
from referrals.forms import LinkDeliveryForm, add_service_error
from referrals.models import FeedbackLink
from referrals.services import feedback_link_issue, feedback_link_revoke
from referrals.views.common import editable_referral


@clp_required
@require_http_methods(["GET", "POST"])
def link_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Email a link to the organisation, or make one and show it this once. A shown link is
    rendered straight into this response (never put in a message, a redirect or a log), so
    it exists only on the CLP's screen."""
    referral = editable_referral(request, pk)
    # An empty POST (the older one-button form) is still a submission: show the link.
    data = request.POST if request.method == "POST" else None
    form = LinkDeliveryForm(data, service_email=referral.resource.email)
    if request.method == "GET" or not form.is_valid():
        audit_record(request=request, action=Action.VIEW, obj=referral, detail="feedback link")
        return render(request, "referrals/link_send.html", {"referral": referral, "form": form})
    send_to = form.send_to()
    try:
        link, token = feedback_link_issue(
            user=request.user, request=request, referral=referral, send_to=send_to
        )
    except ValidationError as error:
        if send_to:
            add_service_error(form, error)
            audit_record(request=request, action=Action.VIEW, obj=referral, detail="feedback link")
            return render(request, "referrals/link_send.html", {"referral": referral, "form": form})
        messages.error(request, " ".join(error.messages))
        return redirect("referrals:detail", pk=referral.pk)
    if send_to:
        messages.success(request, f"Link emailed to {send_to}.")
        return redirect("referrals:detail", pk=referral.pk)
    url = request.build_absolute_uri(reverse("feedback:respond", args=[token]))
    return render(
        request,
        "referrals/link_issued.html",
        {"referral": referral, "link": link, "url": url},
    )


@clp_required
@require_http_methods(["GET", "POST"])
def link_revoke(request: AuthenticatedHttpRequest, pk: int, link_pk: int) -> HttpResponse:
    referral = editable_referral(request, pk)
    try:
        link = referral.feedback_links.select_related("issued_by").get(pk=link_pk)
    except FeedbackLink.DoesNotExist:
        raise Http404("No such link.") from None
    if request.method == "POST":
        try:
            feedback_link_revoke(user=request.user, request=request, link=link)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Link withdrawn: the organisation can no longer use it.")
        return redirect("referrals:detail", pk=referral.pk)
    audit_record(request=request, action=Action.VIEW, obj=referral, detail="withdraw feedback link")
    return render(request, "referrals/link_revoke.html", {"referral": referral, "link": link})
