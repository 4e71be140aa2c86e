"""The organisation's page: no account, one referral, one answer.

Answers: 200 with the form for a usable link; 410 Gone with an explanation for a link that
was real but is used, expired or withdrawn; 404 with the same kind of page for anything that
is not a link of ours (tampered, truncated, signed for something else); 429 past the rate
limit. The page shows the person's first name and last initial, the referral date, the
service and the CLP's note, and nothing else."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.models import Action
from audit.services import audit_record
from referrals import links
from referrals.forms import FeedbackForm, add_service_error
from referrals.models import FeedbackLink
from referrals.ratelimit import rate_limited
from referrals.services import LinkUnavailable, feedback_record

UNAVAILABLE = {
    FeedbackLink.State.USED: (
        410,
        "This link has already been used",
        "Thank you: an answer for this referral has already been recorded, and each link "
        "works once. If something needs correcting, contact the Community Links Practitioner "
        "who sent it.",
    ),
    FeedbackLink.State.EXPIRED: (
        410,
        "This link has expired",
        "Links work for 60 days. Ask the Community Links Practitioner who sent it for a new "
        "one if you still want to tell them how the referral went.",
    ),
    FeedbackLink.State.REVOKED: (
        410,
        "This link has been withdrawn",
        "The Community Links Practitioner who sent it has withdrawn it. They may have sent "
        "you a newer link.",
    ),
    links.INVALID: (
        404,
        "This link does not work",
        "The address may have been copied incompletely. Open the link exactly as you "
        "received it, or ask the Community Links Practitioner who sent it for a new one.",
    ),
}


def _private(response: HttpResponse) -> HttpResponse:
    """The page carries a person's name: not to be cached or indexed. (The site-wide
    same-origin referrer policy already keeps the address, which is the key, from other
    sites; no-referrer would make browsers send `Origin: null` and fail the CSRF check.)"""
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request: HttpRequest, state: str) -> HttpResponse:
    status, title, explanation = UNAVAILABLE[state]
    return _private(
        render(
            request,
            "referrals/feedback/unavailable.html",
            {"title": title, "explanation": explanation},
            status=status,
        )
    )


@never_cache
@rate_limited("feedback")
@require_http_methods(["GET", "POST"])
def feedback_respond(request: HttpRequest, token: str) -> HttpResponse:
    check = links.check_token(token)
    if not check.usable:
        return _unavailable(request, check.state)
    link = check.link
    if link is None:  # a usable check always carries its link
        return _unavailable(request, check.state)
    referral = link.referral
    participant = referral.participant
    form = FeedbackForm(request.POST or None, first_name=participant.first_name)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_record(
                request=request,
                link=link,
                attended=data["attended"],
                engaged=data["engaged"],
                appropriate=data["appropriate"],
                relevant=data["relevant"],
                comment=data["comment"],
            )
        except LinkUnavailable as gone:
            return _unavailable(request, gone.state)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("feedback:thanks")
    if request.method == "GET":
        audit_record(
            request=request, action=Action.VIEW, obj=referral, detail="organisation feedback page"
        )
    return _private(
        render(
            request,
            "referrals/feedback/form.html",
            {
                "form": form,
                "person": f"{participant.first_name} {participant.last_name[:1]}.",
                "first_name": participant.first_name,
                "referral_date": referral.date,
                "resource": referral.resource,
                "note": referral.note,
                "expires_at": link.expires_at,
            },
        )
    )


@never_cache
@rate_limited("feedback")
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "referrals/feedback/thanks.html"))
