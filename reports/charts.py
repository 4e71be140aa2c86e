"""Small SVG charts for the annual report, drawn as text: no plotting library, and they
stay sharp in the PDF. Values already suppressed are passed as None and drawn as a label."""

from __future__ import annotations

from html import escape

INK, BAR, MUTED, GRID = "#1a1a1a", "#0b4f6c", "#6c757d", "#d0d5da"


def bar_chart(
    rows: list[tuple[str, float | None, str]], *, title: str, width: int = 560, unit: str = ""
) -> str:
    """Horizontal bars: (label, value or None when suppressed, text shown at the bar end)."""
    row_h, left, right = 26, 190, 70
    height = 30 + row_h * len(rows)
    known = [v for _, v, _ in rows if v is not None]
    top = max(known) if known and max(known) > 0 else 1
    scale = (width - left - right) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    for i, (label, value, text) in enumerate(rows):
        y = 28 + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        length = (value or 0) * scale
        if value is not None and length > 0:
            parts.append(
                f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="16" fill="{BAR}"/>'
            )
        parts.append(
            f'<text x="{left + length + 6:.1f}" y="{y + 15}" font-size="11" '
            f'fill="{MUTED if value is None else INK}">{escape(text)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def interval_chart(
    rows: list[tuple[str, float | None, float | None, float | None]],
    *,
    title: str,
    width: int = 560,
) -> str:
    """Mean changes with 95 % intervals on a shared axis, zero marked: (label, mean, low,
    high); a row with no mean is drawn as "not shown"."""
    row_h, left, right = 28, 250, 30
    height = 50 + row_h * len(rows)
    values = [v for _, m, lo, hi in rows for v in (m, lo, hi) if v is not None] or [0.0]
    low_end, high_end = min([*values, 0.0]), max([*values, 0.0])
    span = (high_end - low_end) or 1.0
    low_end, high_end = low_end - 0.05 * span, high_end + 0.05 * span

    def x(v: float) -> float:
        return left + (v - low_end) / (high_end - low_end) * (width - left - right)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>',
        f'<line x1="{x(0):.1f}" y1="26" x2="{x(0):.1f}" y2="{height - 18}" stroke="{GRID}"/>',
        f'<text x="{x(0):.1f}" y="{height - 4}" font-size="10" text-anchor="middle" '
        f'fill="{MUTED}">0 (no change)</text>',
    ]
    for i, (label, mean, low, high) in enumerate(rows):
        y = 36 + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        if mean is None:
            parts.append(
                f'<text x="{left}" y="{y + 4}" font-size="11" fill="{MUTED}">not shown</text>'
            )
            continue
        if low is not None and high is not None:
            parts.append(
                f'<line x1="{x(low):.1f}" y1="{y}" x2="{x(high):.1f}" y2="{y}" '
                f'stroke="{INK}" stroke-width="1.5"/>'
            )
        parts.append(f'<circle cx="{x(mean):.1f}" cy="{y}" r="4" fill="{BAR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def flow_diagram(
    steps: list[tuple[str, str]], outcomes: list[tuple[str, str]], *, title: str, width: int = 560
) -> str:
    """A participant-flow diagram: boxes down the page joined by arrows (label, shown count),
    and the last box's outcomes side by side beneath it. Counts arrive already suppressed."""
    box_w, box_h, gap = 300, 34, 18
    left = (width - box_w) / 2
    out_w = (width - 10 * (len(outcomes) - 1)) / max(len(outcomes), 1)
    height = 30 + len(steps) * (box_h + gap) + box_h + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]

    def box(x: float, y: float, w: float, label: str, shown: str) -> None:
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{box_h}" rx="4" '
            f'fill="#eef4f7" stroke="{BAR}"/>'
            f'<text x="{x + w / 2:.1f}" y="{y + 14}" font-size="10" text-anchor="middle" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<text x="{x + w / 2:.1f}" y="{y + 28}" font-size="12" font-weight="bold" '
            f'text-anchor="middle" fill="{BAR}">{escape(shown)}</text>'
        )

    def arrow(x1: float, y1: float, x2: float, y2: float) -> None:
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1}" x2="{x2:.1f}" y2="{y2 - 4}" stroke="{MUTED}"/>'
            f'<polygon points="{x2 - 4:.1f},{y2 - 6} {x2 + 4:.1f},{y2 - 6} {x2:.1f},{y2}" '
            f'fill="{MUTED}"/>'
        )

    y = 28
    for i, (label, shown) in enumerate(steps):
        box(left, y, box_w, label, shown)
        if i < len(steps) - 1:
            arrow(width / 2, y + box_h, width / 2, y + box_h + gap)
        y += box_h + gap
    for j, (label, shown) in enumerate(outcomes):
        x = j * (out_w + 10)
        arrow(width / 2, y - gap, x + out_w / 2, y)
        box(x, y, out_w, label, shown)
    parts.append("</svg>")
    return "".join(parts)
