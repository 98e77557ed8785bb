"""Monitoring plans (监测方案): a named boolean rule plus exclusion words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analysis.rules import Rule, find_term, parse_rule


@dataclass(frozen=True)
class Plan:
    name: str
    rule: Rule
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_text(cls, name: str, rule: str, exclude: Iterable[str] = ()) -> Plan:
        """Build a plan from rule text; raises ``RuleSyntaxError`` on a bad rule."""
        return cls(name=name, rule=parse_rule(rule), exclude=tuple(w for w in exclude if w))

    def matches(self, text: str) -> bool:
        """True when the rule matches and no exclusion word occurs."""
        return self.rule.matches(text) and not self.excluded_by(text)

    def excluded_by(self, text: str) -> list[str]:
        return [word for word in self.exclude if find_term(word, text) >= 0]

    def matched_terms(self, text: str) -> list[str]:
        return self.rule.matched_terms(text) if self.matches(text) else []


def matching_plans(plans: Iterable[Plan], text: str) -> list[str]:
    """Names of the plans whose rule the text satisfies."""
    return [plan.name for plan in plans if plan.matches(text)]
