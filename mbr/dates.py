"""Dates in cells and text, and period expressions (SPEC §1.3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """An inclusive range of dates with the names people and files use for it."""

    start: dt.date
    end: dt.date
    kind: str  # "month" | "quarter" | "year" | "range"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        """How the report titles it: "November 2024", "Q3 2024", "2024",
        "1 Oct 2024 – 15 Dec 2024"."""
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{_day_label(self.start)} – {_day_label(self.end)}"

    @property
    def slug(self) -> str:
        """How file names carry it: 2024-11, 2024-Q3, 2024, 2024-10-01..2024-12-31."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _day_label(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"
