"""Statistical disclosure control for everything that leaves the system (PDF and CSV).

Each hidden cell carries a mark that says truthfully why it is hidden:
- "<5" (the threshold is a setting): a count from 1 to threshold − 1 (primary suppression);
- "*": a count hidden only so that a "<5" cell beside a shown total cannot be worked out by
  subtraction (secondary suppression: the smallest other non-zero cell, or the total if
  nothing else is left to hide among); it is not itself a small count;
- "†": a percentage, mean, change, interval or effect size hidden because its numerator,
  its denominator or its n is hidden.
The report's appendix and the README repeat these rules. The raw JSON the `annual_report`
command writes is not suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

SECONDARY = "*"
DERIVED = "†"


@dataclass(frozen=True)
class Suppressor:
    threshold: int

    @classmethod
    def from_settings(cls) -> Suppressor:
        return cls(settings.LINKS_SUPPRESSION_THRESHOLD)

    @property
    def label(self) -> str:
        return f"<{self.threshold}"

    secondary = SECONDARY
    derived_mark = DERIVED

    def hides(self, value: int | None) -> bool:
        return value is not None and 0 < value < self.threshold

    def hidden(self, shown: str) -> bool:
        """Whether a displayed cell is hidden, for whatever reason."""
        return shown in (self.label, SECONDARY, DERIVED)

    def count(self, value: int | None) -> str:
        if value is None:
            return "—"
        return self.label if self.hides(value) else f"{value:,}"

    def derived(
        self, value, *counts: int | None, fmt: str = "{}", hidden: Iterable[str] = ()
    ) -> str:
        """A figure computed from counts (its numerator, denominator or n): hidden when any of
        them is small, or when any of the displayed cells in `hidden` is hidden."""
        if any(self.hides(c) for c in counts) or any(self.hidden(h) for h in hidden):
            return DERIVED
        if value is None:
            return "—"
        return fmt.format(value)

    def group(self, values: dict[str, int], *, total: int | None = None) -> dict[str, str]:
        """Display strings for a group of counts whose total is shown beside them (or can be
        known: pass it as `total`). Adds "total" to the result when given."""
        small = {key for key, value in values.items() if self.hides(value)}
        secondary: set[str] = set()
        total_shown = None if total is None else self.count(total)
        if total is not None and not self.hides(total) and len(small) == 1:
            candidates = sorted(
                (value, key) for key, value in values.items() if value > 0 and key not in small
            )
            if candidates:
                secondary.add(candidates[0][1])
            else:
                total_shown = SECONDARY  # the one small cell would be the whole total
        shown = {
            key: (self.label if key in small else SECONDARY if key in secondary else f"{value:,}")
            for key, value in values.items()
        }
        if total_shown is not None:
            shown["total"] = total_shown
        return shown

    def legend(self, cells: Iterable[str]) -> list[tuple[str, str]]:
        """The marks among some displayed cells, each with why it hides: the footnote of a
        table."""
        used = set(cells)
        notes = [
            (self.label, f"a count from 1 to {self.threshold - 1}, hidden to protect people"),
            (
                SECONDARY,
                f"hidden only so that a “{self.label}” count cannot be worked out from the "
                "total (secondary suppression); not itself a small count",
            ),
            (DERIVED, "hidden because it is worked out from a hidden count"),
        ]
        return [(mark, why) for mark, why in notes if mark in used]
