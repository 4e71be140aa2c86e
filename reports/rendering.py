"""The annual report as people read it: figures with disclosure control applied, plain-word
summary, SVG charts, and the PDF WeasyPrint makes of it."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from reports.charts import bar_chart, flow_diagram, interval_chart
from reports.definitions import DEFINITIONS, TRIAL_DOSE_THRESHOLD, pct
from reports.mixed_model import ADJUSTED_MEASURES
from reports.statistics import ATTRITION_MEASURES, DOSE_BANDS, GROUPS, TRIAL_BAND
from reports.suppression import Suppressor

MEASURE_LABELS = {
    "hads_anxiety": "HADS anxiety (0–21)",
    "hads_depression": "HADS depression (0–21)",
    "exercise_days": "Days active 30+ minutes (0–7)",
    "wemwbs": "WEMWBS (14–70)",
    "swemwbs": "SWEMWBS metric score (7–35)",
    "eq5d_index": "EQ-5D-5L index, England",
    "eq5d_vas": "EQ VAS, health today (0–100)",
    "ons4_life_satisfaction": "ONS4 life satisfaction (0–10)",
    "ons4_worthwhile": "ONS4 worthwhile (0–10)",
    "ons4_happy": "ONS4 happy yesterday (0–10)",
    "ons4_anxious": "ONS4 anxious yesterday (0–10)",
}
CHARTED = ADJUSTED_MEASURES
GROUP_LABELS = {
    "all": "Everyone with both assessments",
    "dose_at_least_threshold": "Saw a CLP {t}+ times",
    "dose_below_threshold": "Saw a CLP fewer than {t} times",
    "engaged": "Engaged with a suggested resource",
    "not_engaged": "Did not engage with a resource",
}
ONS4_BANDS = [
    ("Life satisfaction, worthwhile, happy", "low 0–4 · medium 5–6 · high 7–8 · very high 9–10"),
    ("Anxious", "very low 0–1 · low 2–3 · medium 4–5 · high 6–10"),
]


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def _outcome_rows(stats: dict, s: Suppressor) -> list[dict]:
    threshold = stats["settings"]["dose_threshold"]
    rows = []
    for measure, label in MEASURE_LABELS.items():
        for group in GROUPS:
            o = stats["outcomes"][measure][group]
            n = o["n"]

            def shown(value, fmt="{:.2f}", n=n):
                return s.derived(value, n, fmt=fmt)

            ci = (
                f"{o['ci95_low']:+.2f} to {o['ci95_high']:+.2f}"
                if o["ci95_low"] is not None
                else None
            )
            rows.append(
                {
                    "measure": label,
                    "key": measure,
                    "group": GROUP_LABELS[group].format(t=threshold),
                    "n": s.count(n),
                    "baseline": shown(o["baseline_mean"]),
                    "follow_up": shown(o["follow_up_mean"]),
                    "change": shown(o["mean_change"], "{:+.2f}"),
                    "ci": s.derived(ci, n),
                    "sd": shown(o["sd_change"]),
                    "effect": shown(o["effect_size"], "{:+.2f}"),
                    "abnormal": (
                        s.count(o["abnormal_at_baseline"]) if "abnormal_at_baseline" in o else None
                    ),
                    "left_abnormal": (
                        s.derived(
                            o["left_abnormal_pct"],
                            n,
                            o["abnormal_at_baseline"],
                            o["no_longer_abnormal"],
                            fmt="{}%",
                        )
                        if "left_abnormal_pct" in o
                        else None
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
    by_category = s.group(counts["by_category"], total=counts["total"])
    by_practice = s.group(counts["by_practice"], total=counts["total"])
    return {
        "by_category": by_category,
        "by_practice": by_practice,
        "legend": s.legend([*by_category.values(), *by_practice.values()]),
    }


def _bars(values: dict[str, int], shown: dict[str, str], s: Suppressor, name) -> list:
    return [(name(k), None if s.hidden(shown[k]) else v, shown[k]) for k, v in values.items()]


def _flow(stats: dict, s: Suppressor) -> dict:
    f = stats["flow"]
    outcomes = {
        k: f[k] for k in ("completed", "missed", "declined", "not_applicable", "still_open")
    }
    shown_outcomes = s.group(outcomes, total=f["follow_ups_due"])
    steps = [
        ("Referred in the year", s.count(f["referred"])),
        ("Supported (attended a consultation)", s.count(f["supported"])),
        ("Baseline assessment recorded", s.count(f["baseline_recorded"])),
        ("Nine-month follow-ups due in the year", shown_outcomes["total"]),
    ]
    labels = {
        "completed": "Completed",
        "missed": "Missed",
        "declined": "Declined",
        "not_applicable": "Not applicable",
        "still_open": "Still open",
    }
    chart = flow_diagram(
        steps,
        [(labels[k], shown_outcomes[k]) for k in outcomes],
        title="Participant flow",
    )
    cells = [shown for _, shown in steps] + list(shown_outcomes.values())
    return {"chart": chart, "legend": s.legend(cells)}


def _attrition(stats: dict, s: Suppressor) -> dict:
    a = stats["attrition"]
    rows = [
        {
            "label": "People",
            **{g: s.count(a[g]["n"]) for g in ("followed_up", "lost")},
        },
        {
            "label": "Most deprived quintile (of those with a known quintile)",
            **{
                g: s.derived(
                    a[g]["most_deprived_pct"],
                    a[g]["most_deprived"],
                    a[g]["quintile_known"],
                    fmt="{}%",
                )
                for g in ("followed_up", "lost")
            },
        },
    ]
    for measure in ATTRITION_MEASURES:
        row = {"label": f"Baseline {MEASURE_LABELS[measure]}, mean (n)"}
        for g in ("followed_up", "lost"):
            b = a[g]["baseline"][measure]
            mean = s.derived(b["mean"], b["n"], fmt="{:.2f}")
            row[g] = f"{mean} ({s.count(b['n'])})"
        rows.append(row)
    cells = [row[g] for row in rows for g in ("followed_up", "lost")]
    return {"rows": rows, "legend": s.legend(c for cell in cells for c in cell.split(" "))}


def _adjusted(stats: dict) -> list[dict]:
    rows = []
    for measure in ADJUSTED_MEASURES:
        a = stats["adjusted"][measure]

        def effect(name: str, a=a) -> str:
            e = a[name]
            if e["coef"] is None:
                return "—"
            p = "< 0.001" if e["p_value"] < 0.001 else f"{e['p_value']:.3f}"
            return f"{e['coef']:+.2f} ({e['ci95_low']:+.2f} to {e['ci95_high']:+.2f}), p {p}"

        rows.append(
            {
                "measure": MEASURE_LABELS[measure],
                "n": f"{a['n']:,}",
                "practices": str(a["practices"]),
                "dose": effect("dose"),
                "engaged": effect("engaged"),
                "reason": a["reason"],
            }
        )
    return rows


def report_context(stats: dict, *, suppressor: Suppressor | None = None) -> dict:
    s = suppressor or Suppressor.from_settings()
    p, c, r = stats["participants"], stats["consultations"], stats["referrals"]
    supported = p["supported"]
    year = stats["period"]["start"][:4]
    threshold = stats["settings"]["dose_threshold"]

    quintiles = s.group(dict(p["by_quintile"]), total=supported)
    quintile_chart = bar_chart(
        _bars(
            p["by_quintile"],
            quintiles,
            s,
            lambda k: f"Quintile {k}" if k != "unknown" else "Unknown",
        ),
        title="Deprivation profile: people supported by SIMD quintile (1 = most deprived)",
    )
    domains = s.group(p["by_domain_count"], total=supported)
    domain_chart = bar_chart(
        _bars(p["by_domain_count"], domains, s, lambda k: f"{k} domain{'s' if k != '1' else ''}"),
        title="Complexity: how many domains people's needs span",
    )
    dose = s.group(p["dose_response"], total=supported)
    dose_chart = bar_chart(
        _bars(p["dose_response"], dose, s, lambda k: f"{k} consultation{'s' if k != '1' else ''}"),
        title="Attended consultations per person supported",
    )
    categories = [(name, fig["made"], fig["engaged"]) for name, fig in r["by_category"].items()]
    category_rows = [
        {
            "name": name,
            "made": s.count(made),
            "engaged": s.count(engaged),
            "engaged_pct": s.derived(pct(engaged, made), made, engaged, fmt="{}%"),
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
                if row["key"] == measure
            ],
            title=f"{MEASURE_LABELS[measure]}: mean change at nine months, 95 % interval",
        )
        for measure in CHARTED
    ]
    bands = stats["outcomes"]["dose_bands"]
    dose_band_rows = [
        {
            "band": band if band != TRIAL_BAND else f"{band} (the trial's threshold)",
            "cells": [
                s.derived(bands[m][band]["mean_change"], bands[m][band]["n"], fmt="{:+.2f}")
                + f" ({s.count(bands[m][band]['n'])})"
                for m in CHARTED
            ],
        }
        for band in [*DOSE_BANDS, TRIAL_BAND]
    ]
    survey = stats["staff_survey"]
    survey_rows = [
        {
            "name": row["name"],
            "responses": s.count(row["responses"]),
            "wellbeing": s.derived(
                row["wellbeing_activities_pct"],
                row["responses"],
                row["wellbeing_activities"],
                fmt="{}%",
            ),
            "give_up": s.derived(
                row["give_up_within_5y_pct"],
                row["responses"],
                row["give_up_within_5y"],
                fmt="{}%",
            ),
        }
        for row in survey["by_practice"]
    ]
    multi_domain = p["multi_domain"]
    headline = {
        "supported": s.count(supported),
        "new": s.count(p["new"]),
        "practices": str(stats["practices"]["active"]),
        "practices_new": str(stats["practices"]["new"]),
        "clps": str(stats["clps"]["active"]),
        "clps_new": str(stats["clps"]["new"]),
        "most_deprived": s.derived(
            p["most_deprived_quintile_pct"],
            supported,
            p["quintile_known"],
            fmt="{}%",
            hidden=[quintiles["1"]],
        ),
        "simd_unknown": quintiles["unknown"],
        "multi_domain": s.derived(p["multi_domain_pct"], supported, multi_domain, fmt="{}%"),
        "attended": s.count(c["attended"]),
        "dna": s.count(c["did_not_attend"]),
        "seen_twice": s.derived(
            c["seen_twice_or_more_pct"], supported, c["seen_twice_or_more"], fmt="{}%"
        ),
        "referrals": s.count(r["made"]),
        "engaged": s.count(r["engaged"]),
        "engaged_pct": s.derived(r["engaged_pct"], r["made"], r["engaged"], fmt="{}%"),
        "appropriate_pct": s.derived(
            r["appropriate_pct"], r["with_feedback"], r["appropriate"], fmt="{}%"
        ),
        "survey_responses": s.count(survey["responses"]),
        "wellbeing_pct": s.derived(
            survey["wellbeing_activities_pct"],
            survey["responses"],
            survey["wellbeing_activities"],
            fmt="{}%",
        ),
        "give_up_pct": s.derived(
            survey["give_up_within_5y_pct"],
            survey["responses"],
            survey["give_up_within_5y"],
            fmt="{}%",
        ),
    }

    def legend(*cells) -> list[tuple[str, str]]:
        return s.legend(c for cell in cells for c in str(cell).split(" "))

    return {
        "year": year,
        "stats": stats,
        "s": s,
        "generated": timezone.now(),
        "headline": headline,
        "quintiles": quintiles,
        "dose": dose,
        "charts": {
            "quintiles": quintile_chart,
            "domains": domain_chart,
            "dose": dose_chart,
            "categories": category_chart,
            "outcomes": outcome_charts,
        },
        "flow": _flow(stats, s),
        "attrition": _attrition(stats, s),
        "adjusted_rows": _adjusted(stats),
        "category_rows": category_rows,
        "outcome_rows": outcome_rows,
        "dose_band_rows": dose_band_rows,
        "dose_band_measures": [MEASURE_LABELS[m] for m in CHARTED],
        "survey_rows": survey_rows,
        "safeguarding": _safeguarding_rows(stats, s),
        "ons4_bands": ONS4_BANDS,
        "legends": {
            "headline": legend(*headline.values()),
            "profile": legend(*quintiles.values(), *domains.values(), *dose.values()),
            "categories": legend(*(v for row in category_rows for v in row.values())),
            "outcomes": legend(
                *(
                    v
                    for row in outcome_rows
                    for k, v in row.items()
                    if k not in ("chart", "measure", "group", "key")
                )
            ),
            "dose_bands": legend(*(v for row in dose_band_rows for v in row["cells"])),
            "survey": legend(*(v for row in survey_rows for v in row.values())),
        },
        "definitions": [(name, words.format(threshold=threshold)) for name, words in DEFINITIONS],
        "threshold": threshold,
        "trial_threshold": TRIAL_DOSE_THRESHOLD,
    }


def render_report_html(stats: dict) -> str:
    return render_to_string("reports/annual_report.html", report_context(stats))


def render_report_pdf(stats: dict) -> bytes:
    # WeasyPrint loads Pango and its fonts on import, a second or more: only the worker that
    # renders a PDF pays for it, not every web process. (Not a cycle: it is a library.)
    from weasyprint import HTML

    return HTML(string=render_report_html(stats)).write_pdf()
