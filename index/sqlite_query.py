"""Query parsing and day boundaries shared by the search sides of both backends.

Queries are built as structures: user text only ever reaches an engine as term values
(letters and digits only), never as query syntax of its own.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from analysis.rules import Rule, RuleSyntaxError, parse_rule
from index.errors import InvalidQuery

SHANGHAI = ZoneInfo("Asia/Shanghai")
REGION_KINDS = ("province", "city", "county")


def parse_query(text: str) -> Rule:
    try:
        return parse_rule(text)
    except RuleSyntaxError as error:
        raise InvalidQuery(f"invalid query: {error}") from error


def day_start_ts(day: date) -> int:
    """Unix time of midnight in Asia/Shanghai, the day boundary PR staff mean."""
    return int(datetime.combine(day, time(), tzinfo=SHANGHAI).timestamp())
