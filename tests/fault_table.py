"""The fault table: per fault, how many runs recovered and what was lost or doubled.

The fault tests ``record`` their figures before they assert, so a failing run shows in
the table too; ``tests/conftest.py`` prints the table at the end of a pytest session
(CI's log) and ``bench/faults.py`` prints the same table for its randomised runs.
All zeros, with every run recovered, is the target.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

COLUMNS = ("fault", "runs", "recovered", "lost", "duplicates", "incidents differing",
           "messages lost", "messages doubled", "orphans", "doctor not clean")


@dataclass
class Row:
    fault: str
    runs: int = 0
    recovered: int = 0
    lost: int = 0
    duplicates: int = 0
    incidents: int = 0
    messages_lost: int = 0
    messages_doubled: int = 0
    orphans: int = 0
    doctor: int = 0  # runs after which ``hotwatch doctor`` (or a rerun) still failed

    def add(
        self,
        *,
        lost: int = 0,
        duplicates: int = 0,
        incidents: int = 0,
        messages_lost: int = 0,
        messages_doubled: int = 0,
        orphans: int = 0,
        doctor: int = 0,
    ) -> bool:
        """Count one run; returns whether it recovered (every figure zero)."""
        figures = (lost, duplicates, incidents, messages_lost, messages_doubled, orphans, doctor)
        self.runs += 1
        self.lost += lost
        self.duplicates += duplicates
        self.incidents += incidents
        self.messages_lost += messages_lost
        self.messages_doubled += messages_doubled
        self.orphans += orphans
        self.doctor += doctor
        recovered = not any(figures)
        self.recovered += recovered
        return recovered

    def cells(self) -> list[str]:
        return [str(getattr(self, f.name)) for f in fields(self)]


RECORDED: dict[str, Row] = {}


def record(fault: str, **figures: int) -> None:
    """Count one run of ``fault`` in this session's table."""
    RECORDED.setdefault(fault, Row(fault)).add(**figures)


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table (what the README quotes)."""
    cells = [list(COLUMNS)] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
             for line in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
