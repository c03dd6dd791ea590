"""Months as the model's unit of time: parsing ``YYYY-MM`` and counting between months."""

from __future__ import annotations

import datetime as dt
import re

from sim.schema import shorten

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: object) -> str:
    """Return ``value`` as a canonical ``YYYY-MM`` string.

    Accepts ``"2023-04"``, ``"2023-4"``, and ``datetime.date`` (as YAML reads ``2023-04-01``);
    years run from 0001 to 9999, like ``datetime.date``.
    """
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        m = _MONTH.match(value.strip())
        if m and int(m.group(1)) >= 1 and 1 <= int(m.group(2)) <= 12:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    raise ValueError(f"{shorten(value)} is not a month; write it as YYYY-MM, e.g. 2024-07")


def month_number(month: str) -> int:
    """Months since year 0, so that differences count months."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def months_between(start: str, end: str) -> int:
    """Number of months from ``start`` to ``end`` (0 when equal)."""
    return month_number(end) - month_number(start)


def month_dates(start: str, n: int) -> list[dt.date]:
    """First day of each of ``n`` months from ``start``."""
    first = month_number(start)
    return [dt.date((first + i) // 12, (first + i) % 12 + 1, 1) for i in range(n)]
