"""Calendar-month periods, with bounds computed in the configured local time zone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1-12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip())
        if not match:
            raise ValueError(f"period must look like 2026-11, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, moment: dt.datetime | dt.date) -> Period:
        if isinstance(moment, dt.datetime):
            moment = timezone.localtime(moment).date()
        return cls(moment.year, moment.month)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - (1 if self.month == 1 else 0), 12 if self.month == 1 else self.month - 1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes at local midnight."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.first_day(), dt.time(), tzinfo=tz)
        end = dt.datetime.combine(self.next().first_day(), dt.time(), tzinfo=tz)
        return start, end

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
