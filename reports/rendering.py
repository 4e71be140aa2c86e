"""The annual report as people read it: figures with disclosure control applied, plain-word
summary, SVG charts, and the PDF WeasyPrint makes of it."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from reports.charts import bar_chart, interval_chart
from reports.statistics import DOSE_BANDS, GROUPS
from reports.suppression import Suppressor

MEASURE_LABELS = {
    "hads_anxiety": "HADS anxiety",
    "hads_depression": "HADS depression",
    "exercise_days": "Days active (30+ minutes)",
}
GROUP_LABELS = {
    "all": "Everyone with both assessments",
    "dose_at_least_threshold": "Saw a CLP {t}+ times",
    "dose_below_threshold": "Saw a CLP fewer than {t} times",
    "engaged": "Engaged with a suggested resource",
    "not_engaged": "Did not engage with a resource",
}


def _outcome_rows(stats: dict, s: Suppressor) -> list[dict]:
    threshold = stats["settings"]["dose_threshold"]
    rows = []
    for measure, label in MEASURE_LABELS.items():
        for group in GROUPS:
            o = stats["outcomes"][measure][group]
            n = o["n"]

            def shown(value, fmt="{:.2f}", n=n):
                return s.derived(value, n, fmt=fmt)

            rows.append(
                {
                    "measure": label,
                    "group": GROUP_LABELS[group].format(t=threshold),
                    "n": s.count(n),
                    "baseline": shown(o["baseline_mean"]),
                    "follow_up": shown(o["follow_up_mean"]),
                    "change": shown(o["mean_change"], "{:+.2f}"),
                    "ci": (
                        s.label
                        if s.hides(n)
                        else (
                            f"{o['ci95_low']:+.2f} to {o['ci95_high']:+.2f}"
                            if o["ci95_low"] is not None
                            else "—"
                        )
                    ),
                    "left_abnormal": (
                        s.derived(
                            o.get("left_abnormal_pct"), n, o.get("abnormal_at_baseline"), fmt="{}%"
                        )
                        if "left_abnormal_pct" in o
                        else "n/a"
                    ),
                    "chart": None
                    if s.hides(n) or o["mean_change"] is None
                    else (o["mean_change"], o["ci95_low"], o["ci95_high"]),
                }
            )
    return rows


def _safeguarding_rows(stats: dict, s: Suppressor) -> dict:
    """Concern counts per category and per practice, each group suppressed with its total.
    Reports made before concerns were counted have none."""
    counts = stats.get("safeguarding")
    if not counts:
        return {}
    return {
        "by_category": s.group(counts["by_category"], total=counts["total"]),
        "by_practice": s.group(counts["by_practice"], total=counts["total"]),
    }


def report_context(stats: dict, *, suppressor: Suppressor | None = None) -> dict:
    s = suppressor or Suppressor.from_settings()
    p, c, r = stats["participants"], stats["consultations"], stats["referrals"]
    supported = p["supported"]
    year = stats["period"]["start"][:4]

    quintiles = s.group({k: v for k, v in p["by_quintile"].items()}, total=supported)
    quintile_chart = bar_chart(
        [
            (
                f"Quintile {k}" if k != "unknown" else "Unknown",
                None if quintiles[k] == s.label else v,
                quintiles[k],
            )
            for k, v in p["by_quintile"].items()
        ],
        title="Deprivation profile: people supported by SIMD quintile (1 = most deprived)",
    )
    domains = s.group(p["by_domain_count"], total=supported)
    domain_chart = bar_chart(
        [
            (
                f"{k} domain{'s' if k != '1' else ''}",
                None if domains[k] == s.label else v,
                domains[k],
            )
            for k, v in p["by_domain_count"].items()
        ],
        title="Complexity: how many domains people's needs span",
    )
    dose = s.group(p["dose_response"], total=supported)
    dose_chart = bar_chart(
        [
            (
                f"{k} consultation{'s' if k != '1' else ''}",
                None if dose[k] == s.label else v,
                dose[k],
            )
            for k, v in p["dose_response"].items()
        ],
        title="Attended consultations per person supported",
    )
    categories = [(name, fig["made"], fig["engaged"]) for name, fig in r["by_category"].items()]
    category_rows = [
        {
            "name": name,
            "made": s.count(made),
            "engaged": s.count(engaged),
            "engaged_pct": s.derived(
                round(100 * engaged / made, 1) if made else None, made, engaged, fmt="{}%"
            ),
        }
        for name, made, engaged in categories
    ]
    category_chart = bar_chart(
        [(name, None if s.hides(made) else made, s.count(made)) for name, made, _ in categories],
        title="Referrals made by resource category",
    )
    outcome_rows = _outcome_rows(stats, s)
    outcome_charts = [
        interval_chart(
            [
                (row["group"], *(row["chart"] or (None, None, None)))
                for row in outcome_rows
                if row["measure"] == label
            ],
            title=f"{label}: mean change at nine months with 95 % interval",
        )
        for label in MEASURE_LABELS.values()
    ]
    dose_band_rows = [
        {
            "band": band,
            **{
                measure: (
                    s.label
                    if s.hides(stats["outcomes"]["dose_bands"][measure][band]["n"])
                    else (
                        "—"
                        if stats["outcomes"]["dose_bands"][measure][band]["mean_change"] is None
                        else f"{stats['outcomes']['dose_bands'][measure][band]['mean_change']:+.2f}"
                    )
                )
                for measure in MEASURE_LABELS
            },
        }
        for band in DOSE_BANDS
    ]
    survey = stats["staff_survey"]
    survey_rows = [
        {
            "name": row["name"],
            "responses": s.count(row["responses"]),
            "wellbeing": s.derived(row["wellbeing_activities_pct"], row["responses"], fmt="{}%"),
            "give_up": s.derived(row["give_up_within_5y_pct"], row["responses"], fmt="{}%"),
        }
        for row in survey["by_practice"]
    ]
    return {
        "year": year,
        "stats": stats,
        "s": s,
        "generated": timezone.now(),
        "headline": {
            "supported": s.count(supported),
            "new": s.count(p["new"]),
            "practices": str(stats["practices"]["active"]),
            "practices_new": str(stats["practices"]["new"]),
            "clps": str(stats["clps"]["active"]),
            "clps_new": str(stats["clps"]["new"]),
            "most_deprived": s.derived(p["most_deprived_quintile_pct"], supported, fmt="{}%"),
            "simd_unknown": s.count(p["simd_unknown"]),
            "multi_domain": s.derived(p["multi_domain_pct"], supported, fmt="{}%"),
            "attended": s.count(c["attended"]),
            "dna": s.count(c["did_not_attend"]),
            "seen_twice": s.derived(c["seen_twice_or_more_pct"], supported, fmt="{}%"),
            "referrals": s.count(r["made"]),
            "engaged": s.count(r["engaged"]),
            "engaged_pct": s.derived(r["engaged_pct"], r["made"], r["engaged"], fmt="{}%"),
            "appropriate_pct": s.derived(r["appropriate_pct"], r["with_feedback"], fmt="{}%"),
            "survey_responses": s.count(survey["responses"]),
            "wellbeing_pct": s.derived(
                survey["wellbeing_activities_pct"], survey["responses"], fmt="{}%"
            ),
            "give_up_pct": s.derived(
                survey["give_up_within_5y_pct"], survey["responses"], fmt="{}%"
            ),
        },
        "quintiles": quintiles,
        "dose": dose,
        "charts": {
            "quintiles": quintile_chart,
            "domains": domain_chart,
            "dose": dose_chart,
            "categories": category_chart,
            "outcomes": outcome_charts,
        },
        "category_rows": category_rows,
        "outcome_rows": outcome_rows,
        "dose_band_rows": dose_band_rows,
        "survey_rows": survey_rows,
        "safeguarding": _safeguarding_rows(stats, s),
        "threshold": stats["settings"]["dose_threshold"],
    }


def render_report_html(stats: dict) -> str:
    return render_to_string("reports/annual_report.html", report_context(stats))


def render_report_pdf(stats: dict) -> bytes:
    # WeasyPrint loads Pango and its fonts on import, a second or more: only the worker that
    # renders a PDF pays for it, not every web process. (Not a cycle: it is a library.)
    from weasyprint import HTML

    return HTML(string=render_report_html(stats)).write_pdf()
