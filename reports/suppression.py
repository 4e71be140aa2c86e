"""Statistical disclosure control for everything that leaves the system (PDF and CSV).

Primary suppression: a count from 1 to threshold − 1 is shown as "<threshold". Secondary
suppression: where a group of counts is shown with its total, one suppressed cell could be
worked out by subtraction, so the smallest other non-zero cell is suppressed too (and the
total, if nothing else is left to hide among). Figures derived from a suppressed count
(percentages, means) are suppressed with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Suppressor:
    threshold: int

    @classmethod
    def from_settings(cls) -> Suppressor:
        return cls(settings.LINKS_SUPPRESSION_THRESHOLD)

    @property
    def label(self) -> str:
        return f"<{self.threshold}"

    def hides(self, value: int | None) -> bool:
        return value is not None and 0 < value < self.threshold

    def count(self, value: int | None) -> str:
        if value is None:
            return "—"
        return self.label if self.hides(value) else f"{value:,}"

    def derived(self, value, *counts: int | None, fmt: str = "{}") -> str:
        """A figure computed from counts: hidden when any of them is."""
        if any(self.hides(c) for c in counts):
            return self.label
        if value is None:
            return "—"
        return fmt.format(value)

    def group(self, values: dict[str, int], *, total: int | None = None) -> dict[str, str]:
        """Display strings for a group of counts whose total is shown beside them (or can be
        known: pass it as `total`). Adds "total" to the result when given."""
        hidden = {key for key, value in values.items() if self.hides(value)}
        total_hidden = self.hides(total)
        if total is not None and not total_hidden and len(hidden) == 1:
            candidates = sorted(
                (value, key) for key, value in values.items() if value > 0 and key not in hidden
            )
            if candidates:
                hidden.add(candidates[0][1])
            else:
                total_hidden = True  # the one hidden cell is the whole total
        shown = {
            key: (self.label if key in hidden else f"{value:,}") for key, value in values.items()
        }
        if total is not None:
            shown["total"] = self.label if total_hidden else f"{total:,}"
        return shown
