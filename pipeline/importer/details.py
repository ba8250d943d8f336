"""What a published page says about its report, where it says it: the publication date ("Updated
16 January 2015"), the strategy and the action's number.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

_DATE_LINE = re.compile(
    r"(?:last\s+)?(?:updated|published)(?:\s+on)?\s*:?\s*(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", re.IGNORECASE
)
_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_MONTHS = {name: number for number, month in enumerate(_MONTH_NAMES, start=1) for name in (month, month[:3])}
_MONTHS["sept"] = 9
_ACTION = re.compile(r"\baction\s+(\d{1,4})\b", re.IGNORECASE)
_STRATEGY = re.compile(r"(?:[A-Z][\w’'&-]*\s+)+Strateg(?:y|ies)\b")


def date_line(line: str) -> re.Match[str] | None:
    return _DATE_LINE.fullmatch(line)


def date(match: re.Match[str]) -> datetime.date | None:
    month = _MONTHS.get(match[2].lower())
    if month is None:
        return None
    try:
        return datetime.date(int(match[3]), month, int(match[1]))
    except ValueError:
        return None


def strategy(text: str) -> str | None:
    match = _STRATEGY.search(text)
    return match[0].removeprefix("The ").strip() if match else None


def action(text: str) -> int | None:
    match = _ACTION.search(text)
    return int(match[1]) if match else None


def found_in(texts: list[tuple[int, str]], find: Callable[[str], Any]) -> tuple[int, Any] | None:
    for number, text in texts:
        value = find(text)
        if value is not None:
            return number, value
    return None
