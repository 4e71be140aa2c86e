"""Referral statistics for programme leads: counts only, never a person."""

from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from accounts.params import int_param
from practices.roles import programme_required
from referrals.selectors import PERIODS, referral_statistics, statistics_years


@programme_required
def statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    years = statistics_years(user=request.user)
    year = int_param(request.GET.get("year"))
    if year not in years:
        year = years[0]
    period = request.GET.get("period", "quarter")
    if period not in PERIODS:
        period = "quarter"
    return render(
        request,
        "referrals/statistics.html",
        {"stats": referral_statistics(user=request.user, year=year, period=period, years=years)},
    )
