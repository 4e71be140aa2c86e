from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from accounts.rows import render_rows
from audit.models import Action
from audit.services import audit_record
from audit.spreadsheets import csv_writer
from practices.roles import manager_required, programme_required
from reports.dashboards import (
    practice_charts,
    practice_comparison,
    practice_comparison_page,
    practice_comparison_totals_and_months,
    practice_dashboard,
    programme_charts,
)
from reports.suppression import Suppressor


def _csv(
    request: AuthenticatedHttpRequest, filename: str, header: list[str], rows: list[list]
) -> HttpResponse:
    """A download that leaves the system: counts are suppressed, and it is audited."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    audit_record(request=request, action=Action.EXPORT, detail=filename)
    return response


@manager_required
def practice_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = practice_dashboard(user=request.user)
    s = Suppressor.from_settings()
    if request.GET.get("download") == "clps":
        return _csv(
            request,
            "caseload-by-clp.csv",
            ["practice", "clp", "open_cases", "closed_cases", "consultations_last_30_days"],
            [
                [
                    row["practice__name"],
                    row["clp__full_name"] or row["clp__username"],
                    s.count(row["open"]),
                    s.count(row["closed"]),
                    s.count(row["seen_30_days"]),
                ]
                for row in data["by_clp"]
            ],
        )
    if request.GET.get("download") == "months":
        return _csv(
            request,
            "consultations-by-month.csv",
            ["month", "attended", "did_not_attend"],
            [
                [row["month"].strftime("%Y-%m"), s.count(row["attended"]), s.count(row["dna"])]
                for row in data["by_month"]
            ],
        )
    return render(
        request,
        "reports/practice_dashboard.html",
        {
            "data": data,
            "s": s,
            "charts": practice_charts(data),
            "clp_rows": render_rows(
                "reports/practice_dashboard_clps.jinja", {"by_clp": data["by_clp"]}
            ),
            "month_rows": render_rows("reports/month_rows.jinja", {"by_month": data["by_month"]}),
        },
    )


@programme_required
def programme_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    s = Suppressor.from_settings()
    if request.GET.get("download") == "practices":
        rows = practice_comparison(user=request.user)
        return _csv(
            request,
            "practice-comparison.csv",
            [
                "practice_code",
                "practice",
                "deep_end",
                "open_cases",
                "consultations_attended",
                "consultations_did_not_attend",
                "referrals_made",
                "referrals_engaged",
                "referrals_engaged_pct",
                "follow_ups_came_due",
                "follow_ups_completed",
                "follow_ups_completed_pct",
            ],
            [
                [
                    p.code,
                    p.name,
                    "yes" if p.practice.deep_end else "no",
                    s.count(p.open_cases),
                    s.count(p.attended),
                    s.count(p.dna),
                    s.count(p.referrals_made),
                    s.count(p.referrals_engaged),
                    s.derived(p.engaged_pct, p.referrals_made, p.referrals_engaged),
                    s.count(p.follow_ups_due),
                    s.count(p.follow_ups_completed),
                    s.derived(p.completion_pct, p.follow_ups_due, p.follow_ups_completed),
                ]
                for p in rows
            ],
        )
    # The totals row is of every practice, summed by the database.
    totals, by_month = practice_comparison_totals_and_months(user=request.user)
    # A national programme has hundreds of practices: the table (and the charts that draw
    # it) shows them a page at a time, as the practices list does, and reads only the
    # page's; the totals row is of them all, and the download has every practice.
    page, shown = practice_comparison_page(user=request.user, page=request.GET.get("page"))
    return render(
        request,
        "reports/programme_dashboard.html",
        {
            "rows": shown,
            "practice_rows": render_rows("reports/programme_dashboard_rows.jinja", {"rows": shown}),
            "month_rows": render_rows("reports/month_rows.jinja", {"by_month": by_month}),
            "page": page,
            "totals": totals,
            "s": s,
            "by_month": by_month,
            "charts": programme_charts(rows=shown, by_month=by_month),
        },
    )
