"""Issuing and withdrawing the organisation's feedback link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from practices.roles import clp_required
from referrals.models import FeedbackLink
from referrals.services import feedback_link_issue, feedback_link_revoke
from referrals.views.common import editable_referral


@clp_required
@require_POST
def link_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Make a link and show it this once. It is rendered straight into this response (never
    put in a message, a redirect or a log), so it exists only on the CLP's screen."""
    referral = editable_referral(request, pk)
    try:
        link, token = feedback_link_issue(user=request.user, request=request, referral=referral)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
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
    return render(request, "referrals/link_revoke.html", {"referral": referral, "link": link})
