"""Crawl health per source: what each run yielded, and which sources went quiet or got blocked.

Every crawl appends one record per source to ``data_dir/reports/crawl-health.jsonl``
(fetched, new, updated, relevant, fresh, errors, blocked answers, first messages).
A source is

- ``ok``: its last run found articles (fetched, or listed but still fresh);
- ``silent``: it yielded before, and its last ``silent_runs`` runs found nothing;
- ``blocked``: its last run got blocking answers (HTTP 403/418/432, captcha, login wall);
- ``empty``: it has never yielded anything (a wrong URL or selector, most likely);
- ``unknown``: it has not run yet.

``silent`` and ``blocked`` are problems that alert (once per episode and channel).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reports.state import append_jsonl, read_jsonl

HEALTH_LOG = "crawl-health.jsonl"
SHOWN_RUNS = 10
DEFAULT_SILENT_RUNS = 3
COUNTS = ("fetched", "new", "updated", "relevant", "fresh", "errors", "blocked")
PROBLEMS = ("silent", "blocked")
STATUS_NAMES = {"ok": "正常", "silent": "停止产出", "blocked": "被屏蔽", "empty": "从未产出",
                "unknown": "尚未运行"}


@dataclass(frozen=True)
class SourceRun:
    """One source in one crawl run."""

    source: str
    type: str
    at: datetime
    fetched: int = 0
    new: int = 0
    updated: int = 0
    relevant: int = 0
    fresh: int = 0
    errors: int = 0
    blocked: int = 0
    messages: tuple[str, ...] = ()

    @property
    def yielded(self) -> bool:
        """Found articles: fetched some, or listed ones still fresh from an earlier run."""
        return self.fetched > 0 or self.fresh > 0

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "type": self.type, "at": self.at.isoformat(),
                **{name: getattr(self, name) for name in COUNTS},
                "messages": list(self.messages)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceRun:
        return cls(
            source=str(data["source"]), type=str(data.get("type", "")),
            at=datetime.fromisoformat(data["at"]),
            **{name: int(data.get(name, 0)) for name in COUNTS},
            messages=tuple(str(m) for m in data.get("messages", [])),
        )


@dataclass
class SourceHealth:
    source: str
    status: str
    runs: list[SourceRun] = field(default_factory=list)  # newest first
    silent_for: int = 0  # runs in a row without a yield
    since: datetime | None = None  # the first run of the current problem spell

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def last(self) -> SourceRun | None:
        return self.runs[0] if self.runs else None

    @property
    def problem(self) -> bool:
        return self.status in PROBLEMS

    @property
    def episode(self) -> str:
        """Names this spell of trouble by its first run, so one spell alerts once."""
        since = self.since.isoformat() if self.since else ""
        return f"source:{self.source}:{self.status}:{since}"

    def summary(self) -> str:
        """One line in Chinese for alerts and the web page."""
        last = self.last
        if self.status == "silent":
            return f"连续 {self.silent_for} 次采集未获得任何文章（此前有产出）"
        if self.status == "blocked" and last is not None:
            reason = next((m for m in last.messages if "blocked" in m or "屏蔽" in m), "")
            return f"最近一次采集遇到 {last.blocked} 次屏蔽应答{('：' + reason) if reason else ''}"
        if self.status == "empty":
            return f"已运行 {len(self.runs)} 次，从未获得文章（检查地址、选择器或链接规则）"
        if self.status == "unknown":
            return "尚未运行"
        return "正常"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "status_name": self.status_name,
                "silent_for": self.silent_for, "summary": self.summary(),
                "runs": [run.to_json() for run in self.runs]}


def record_run(state_dir: Path, runs: Iterable[SourceRun]) -> None:
    """Append one crawl run's records to the health log."""
    for run in runs:
        append_jsonl(state_dir / HEALTH_LOG, run.to_json())


def source_runs(state_dir: Path) -> dict[str, list[SourceRun]]:
    """Every recorded run per source, newest first."""
    runs: dict[str, list[SourceRun]] = {}
    for record in read_jsonl(state_dir / HEALTH_LOG):
        try:
            run = SourceRun.from_json(record)
        except (KeyError, ValueError, TypeError):
            continue
        runs.setdefault(run.source, []).append(run)
    for items in runs.values():
        items.sort(key=lambda r: r.at, reverse=True)
    return runs


def source_health(
    state_dir: Path,
    sources: Sequence[str] = (),
    *,
    silent_runs: int = DEFAULT_SILENT_RUNS,
    shown: int = SHOWN_RUNS,
) -> list[SourceHealth]:
    """The health of the configured ``sources`` and of every source in the log."""
    runs = source_runs(state_dir)
    names = list(dict.fromkeys([*sources, *sorted(runs)]))
    return [judge(name, runs.get(name, []), silent_runs=silent_runs, shown=shown)
            for name in names]


def judge(
    name: str, runs: list[SourceRun], *, silent_runs: int = DEFAULT_SILENT_RUNS,
    shown: int = SHOWN_RUNS,
) -> SourceHealth:
    """The status of one source from its runs (newest first)."""
    if not runs:
        return SourceHealth(name, "unknown")
    streak = _streak(runs, lambda run: not run.yielded)
    since = None
    if runs[0].blocked:
        status = "blocked"
        since = runs[_streak(runs, lambda run: run.blocked > 0) - 1].at
    elif streak == len(runs):
        status = "empty"
    elif streak >= silent_runs:
        status = "silent"
        since = runs[streak - 1].at
    else:
        status = "ok"
    return SourceHealth(name, status, runs[:max(shown, streak)], streak, since)


def _streak(runs: list[SourceRun], condition: Any) -> int:
    """How many of the newest runs in a row meet ``condition``."""
    count = 0
    for run in runs:
        if not condition(run):
            break
        count += 1
    return count
