"""Per-site extraction overrides, validated when they are made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError

SHANGHAI = ZoneInfo("Asia/Shanghai")
SELECTOR_FIELDS = ("title_selector", "body_selector", "date_selector", "author_selector")
Selector = etree.XPath


def compile_selector(selector: str, name: str = "selector") -> Selector:
    """Compile a CSS selector, or an XPath when it starts with ``/`` or ``(``.

    Raises ValueError naming the option and the selector when it does not compile.
    """
    if not isinstance(selector, str) or not selector.strip():
        raise ValueError(f"{name} must be a non-empty CSS or XPath selector, got {selector!r}")
    try:
        if selector.lstrip().startswith(("/", "(")):
            return etree.XPath(selector)
        return CSSSelector(selector)
    except (etree.XPathError, SelectorError, SyntaxError, ValueError) as error:
        raise ValueError(f"invalid {name} {selector!r}: {error}") from error


@dataclass(frozen=True, kw_only=True, slots=True)
class Tuning:
    """Thresholds of the main-text search, the values ``bench/extraction.py`` cross-validates.

    ``link_penalty``: weight per character of a link-dominated line, negative.
    ``max_boilerplate_prose``: a container with more prose than this is not navigation or a
    share bar, whatever its class says (comment containers are judged apart).
    ``min_unpunctuated_chars``: lines without sentence punctuation shorter than this are
    labels, buttons and bylines.
    """

    link_penalty: float = 1.5
    max_boilerplate_prose: int = 200
    min_unpunctuated_chars: int = 30

    def __post_init__(self) -> None:
        for name in ("link_penalty", "max_boilerplate_prose", "min_unpunctuated_chars"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class ExtractOptions:
    """Overrides for one site: selectors (CSS, or XPath from ``/`` or ``(``) and the clock.

    ``now`` is the reference time for relative dates such as ``5分钟前`` (default: the
    current time in ``timezone``); naive times on pages are read in ``timezone``.
    """

    title_selector: str | None = None
    body_selector: str | None = None
    date_selector: str | None = None
    author_selector: str | None = None
    now: datetime | None = None
    timezone: tzinfo = SHANGHAI
    tuning: Tuning = field(default_factory=Tuning)

    def __post_init__(self) -> None:
        for name in SELECTOR_FIELDS:
            selector = getattr(self, name)
            if selector is not None:
                compile_selector(selector, name)
        if self.now is not None and not isinstance(self.now, datetime):
            raise ValueError(f"now must be a datetime, got {self.now!r}")
        if not isinstance(self.timezone, tzinfo):
            raise ValueError(f"timezone must be a tzinfo, got {self.timezone!r}")
        if not isinstance(self.tuning, Tuning):
            raise ValueError(f"tuning must be a Tuning, got {self.tuning!r}")

    def clock(self) -> datetime:
        """The reference time, aware, in ``timezone``."""
        if self.now is None:
            return datetime.now(self.timezone)
        if self.now.tzinfo is None:
            return self.now.replace(tzinfo=self.timezone)
        return self.now.astimezone(self.timezone)

    def select(self, root: etree._Element, name: str) -> list[etree._Element | str]:
        """Elements (or, for XPath, strings) matched by selector option ``name``."""
        selector = getattr(self, name)
        if not selector:
            return []
        found = compile_selector(selector, name)(root)
        if isinstance(found, list):
            return [item for item in found if isinstance(item, etree._Element | str)]
        return [str(found)] if isinstance(found, str) else []
