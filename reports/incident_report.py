"""An incident report (事件脉络): timeline, first source, official responses, spread, risk.

``build_incident_report`` reads one incident and its documents through the Store
interface (plus the level history when present); ``render_markdown``,
``render_html`` and ``IncidentReport.to_json`` format it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from index import IncidentRecord, SearchQuery, Store
from index.records import StoredDocument
from reports.charts import Bar, ChartRow, chart_html, fractions
from reports.digest_model import SHANGHAI, DocLink
from reports.formatting import (
    LEVEL_COLORS,
    TIER_NAMES,
    badge_html,
    categories_text,
    level_label,
    link_html,
    reason_zh,
    regions_text,
    when,
)
from reports.history import LevelChange, LevelHistory
from reports.render import FOOTER, page, section

OFFICIAL_TERMS = ("通报", "致歉", "回应", "处理结果", "停职", "免职")
MAX_DOCUMENTS = 1000
EXCERPTS = 3
EXCERPT_CHARS = 120
FORMATS = ("html", "md", "json")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


@dataclass(frozen=True)
class Excerpt:
    link: DocLink
    text: str


@dataclass(frozen=True)
class TimelineDay:
    day: str
    links: list[DocLink]


@dataclass(frozen=True)
class IncidentReport:
    record: IncidentRecord
    first: DocLink
    timeline: list[TimelineDay]
    official: list[tuple[DocLink, list[str]]]
    tiers: list[tuple[str, int]]
    excerpts: list[Excerpt]
    risk_history: list[LevelChange]

    def to_json(self) -> dict[str, Any]:
        return {
            "incident": self.record.to_json(),
            "first_document": self.first.to_json(),
            "timeline": [
                {"day": d.day, "count": len(d.links), "documents": [x.to_json() for x in d.links]}
                for d in self.timeline
            ],
            "official_responses": [
                {**link.to_json(), "terms": terms} for link, terms in self.official
            ],
            "tiers": [{"tier": name, "documents": n} for name, n in self.tiers],
            "excerpts": [{**e.link.to_json(), "excerpt": e.text} for e in self.excerpts],
            "risk_history": [
                {"level": c.level, "score": c.score, "at": c.at.isoformat(), "previous": c.previous}
                for c in self.risk_history
            ],
        }


def build_incident_report(store: Store, incident_id: str, state_dir: Path) -> IncidentReport:
    """Raises ``IncidentNotFound`` for an unknown id."""
    record = store.get_incident(incident_id)
    result = store.search(
        SearchQuery(incident_id=incident_id, relevant_only=False, sort="time", limit=MAX_DOCUMENTS)
    )
    docs = [hit.document for hit in reversed(result.hits)]
    links = {doc.id: DocLink.from_document(doc) for doc in docs}
    first = links.get(record.first_document_id) or DocLink(
        record.first_document_id, record.title, record.first_url,
        record.first_outlet or "", record.first_seen,
    )
    history = LevelHistory(state_dir).changes(incident_id)
    return IncidentReport(
        record=record,
        first=first,
        timeline=_timeline(docs, links),
        official=[(links[d.id], terms) for d in docs if (terms := official_terms(d))],
        tiers=_tiers(docs),
        excerpts=_excerpts(docs, links),
        risk_history=history,
    )


def official_terms(doc: StoredDocument) -> list[str]:
    """The official-response words (通报, 致歉, 停职 ...) in a document's title or text."""
    return [term for term in OFFICIAL_TERMS if term in doc.title or term in doc.text]


def render_markdown(report: IncidentReport) -> str:
    record = report.record
    lines = [
        f"# 事件脉络：{record.title}",
        "",
        f"- 风险等级：{level_label(record.level)}（评分 {record.score}）",
        f"- 首发：{report.first.outlet} {when(report.first.when, with_year=True)} "
        f"{_md_link(report.first)}",
        f"- 规模：报道 {record.documents} 篇，来源 {record.sources} 个",
        f"- 地区：{regions_text(record.regions)}；热线：{'、'.join(record.hotlines) or '—'}；"
        f"类型：{categories_text(record.categories)}",
        "",
        "## 风险依据",
        *[f"- {reason_zh(r)}" for r in record.reasons or ["无"]],
        "",
        "## 报道时间线",
    ]
    for day in report.timeline:
        lines.append(f"### {day.day}（{len(day.links)} 篇）")
        lines += [f"- {when(x.when)} {x.outlet} {_md_link(x)}" for x in day.links]
    lines += ["", "## 官方回应"]
    lines += [
        f"- {when(x.when, with_year=True)} {x.outlet} {_md_link(x)}（{'、'.join(terms)}）"
        for x, terms in report.official
    ] or ["- 尚未收录到含“通报、致歉、回应、处理结果、停职、免职”的报道"]
    lines += ["", "## 传播层级"]
    lines += [f"- {name}：{n} 篇" for name, n in report.tiers]
    lines += ["", "## 代表性摘录"]
    for excerpt in report.excerpts:
        source = f"{excerpt.link.outlet} {_md_link(excerpt.link)}"
        lines += [f"> {excerpt.text}", ">", f"> —— {source}", ""]
    lines += ["## 风险变化"]
    lines += [
        f"- {when(c.at, with_year=True)} {level_label(c.level)}（评分 {c.score}）"
        for c in report.risk_history
    ] or ["- 暂无记录（等级历史在 hotwatch alerts / digest 运行后开始记录）"]
    return "\n".join([*lines, "", FOOTER]) + "\n"


def render_html(report: IncidentReport) -> str:
    record = report.record
    first = report.first
    summary = (
        f"<p>{badge_html(record.level)} 评分 {record.score}；报道 {record.documents} 篇，来源 "
        f"{record.sources} 个；地区 {escape(regions_text(record.regions))}；热线 "
        f"{escape('、'.join(record.hotlines) or '—')}；类型 "
        f"{escape(categories_text(record.categories))}</p>"
        f"<p>首发：{escape(first.outlet)} {escape(when(first.when, with_year=True))} "
        f"{link_html(first.title, first.url)}</p>"
        "<ul>" + "".join(f"<li>{escape(reason_zh(r))}</li>" for r in record.reasons) + "</ul>"
    )
    counts = [len(d.links) for d in report.timeline]
    chart = chart_html(
        "每日报道量",
        ["日期", "报道", "当日报道"],
        [
            ChartRow(d.day, [Bar(f, LEVEL_COLORS[record.level], f"{len(d.links)} 篇")],
                     "<br>".join(_link_line(x) for x in d.links))
            for d, f in zip(report.timeline, fractions(counts), strict=True)
        ],
    )
    official = "".join(
        f"<li>{_link_line(x, with_year=True)}（{escape('、'.join(terms))}）</li>"
        for x, terms in report.official
    ) or "<li>尚未收录到含“通报、致歉、回应、处理结果、停职、免职”的报道</li>"
    tiers = "".join(f"<li>{escape(name)}：{n} 篇</li>" for name, n in report.tiers)
    excerpts = "".join(
        '<blockquote style="margin:6px 0;padding:6px 10px;border-left:3px solid #ccc;'
        f'color:#444">{escape(e.text)}<br><span style="font-size:12px">—— '
        f"{_link_line(e.link)}</span></blockquote>"
        for e in report.excerpts
    )
    history = "".join(
        f"<li>{escape(when(c.at, with_year=True))} {badge_html(c.level)} 评分 {c.score}</li>"
        for c in report.risk_history
    ) or "<li>暂无记录</li>"
    content = "".join(
        [
            section("概况", summary),
            section("报道时间线", chart),
            section("官方回应", f"<ul>{official}</ul>"),
            section("传播层级", f"<ul>{tiers}</ul>"),
            section("代表性摘录", excerpts),
            section("风险变化", f"<ul>{history}</ul>"),
        ]
    )
    last_seen = when(record.last_seen, with_year=True)
    return page(
        title=f"事件脉络：{record.title}",
        heading=escape(f"事件脉络：{record.title}"),
        subheading=escape(f"事件编号 {record.id} · 最近报道 {last_seen}"),
        content=content,
        footer=escape(FOOTER),
        accent=LEVEL_COLORS[record.level],
    )


def _timeline(docs: list[StoredDocument], links: dict[str, DocLink]) -> list[TimelineDay]:
    days: dict[str, list[DocLink]] = defaultdict(list)
    for doc in docs:
        link = links[doc.id]
        day = link.when.astimezone(SHANGHAI).date().isoformat() if link.when else "日期不详"
        days[day].append(link)
    return [TimelineDay(day, days[day]) for day in sorted(days)]


def _tiers(docs: list[StoredDocument]) -> list[tuple[str, int]]:
    counts = Counter(doc.tier for doc in docs)
    order = sorted(counts, key=lambda t: (t is None, t or 0))
    return [(TIER_NAMES.get(t, f"{t} 级") if t is not None else "未分级", counts[t]) for t in order]


def _excerpts(docs: list[StoredDocument], links: dict[str, DocLink]) -> list[Excerpt]:
    ranked = sorted(docs, key=lambda d: -d.negativity)[:EXCERPTS]
    return [Excerpt(links[doc.id], _excerpt(doc)) for doc in ranked if doc.text]


def _excerpt(doc: StoredDocument) -> str:
    sentences = [s.strip() for s in _SENTENCE.findall(doc.text) if s.strip()]
    keyed = [s for s in sentences if any(h in s for h in [*doc.hotlines, "热线"])]
    text = (keyed or sentences or [doc.text])[0]
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _md_link(link: DocLink) -> str:
    title = link.title.replace("[", "【").replace("]", "】")
    return f"[{title}]({link.url})"


def _link_line(link: DocLink, *, with_year: bool = False) -> str:
    return (
        f"{escape(when(link.when, with_year=with_year))} {escape(link.outlet)} "
        f"{link_html(link.title, link.url)}"
    )
