"""Referral statistics for programme leads: counts only, never a person."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from accounts.params import int_param
from accounts.rows import render_rows
from practices.roles import programme_required
from referrals.selectors import (
    PERIODS,
    SERVICES_PER_PAGE,
    referral_statistics,
    statistics_years,
)
from referrals.templatetags.referral_display import page_rate


@programme_required
def statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    years = statistics_years(user=request.user)
    year = int_param(request.GET.get("year"))
    if year not in years:
        year = years[0]
    period = request.GET.get("period", "quarter")
    if period not in PERIODS:
        period = "quarter"
    # A national directory has thousands of services: their table is shown a page at a
    # time, whose rows are read with the rest of the figures (another page, should the one
    # asked for not exist, is read when the paginator asks for it).
    number = int_param(request.GET.get("page"), minimum=1) or 1
    window = ((number - 1) * SERVICES_PER_PAGE, number * SERVICES_PER_PAGE)
    stats = referral_statistics(
        user=request.user, year=year, period=period, years=years, window=window
    )
    services = Paginator(stats.by_resource, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    tables = render_rows(
        "referrals/statistics_tables.jinja",
        {"stats": stats, "services": services, "rate": page_rate()},
    )
    return render(
        request,
        "referrals/statistics.html",
        {
            "stats": stats,
            "tables": tables,
            "services": services,
            "page": services,
            "querystring": urlencode({"year": year, "period": period}),
        },
    )
