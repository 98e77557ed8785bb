"""A small store for the reports tests, set up through the Python API.

Two incidents on 2021-04-25 (Asia/Shanghai): an orange one in Xinxiang with a
provincial follow-up that reports an official 通报/停职, and a blue one in
Guangzhou; one irrelevant page; one relevant report the day before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from index import IncidentRecord, StoredDocument, open_store

DAY = datetime(2021, 4, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
XINXIANG = {"province": "河南省", "city": "新乡市"}
GUANGZHOU = {"province": "广东省", "city": "广州市"}
ORANGE_REASONS = [
    "2 reports from 2 sources (+1)",
    "mean negativity 0.80 (+2)",
    "covered by provincial media (+2)",
    "sensitive terms: 不要脸、停职 (+2)",
]


def document(n: int, title: str, text: str, when: datetime, **fields: Any) -> StoredDocument:
    values: dict[str, Any] = dict(
        url=f"https://news.test/{n}.html",
        title=title,
        text=text,
        fetched_at=when,
        published_at=when,
        source="fixture",
        outlet="新乡日报",
        domain="news.test",
        tier=3,
        relevant=True,
    )
    values.update(fields)
    return StoredDocument(**values)


def documents(day: datetime = DAY) -> list[StoredDocument]:
    return [
        document(
            1, "新乡12345热线接线员骂人", "市民拨打12345热线反映问题，接线员忘记挂电话骂人不要脸。",
            day, hotlines=["12345"], regions=[XINXIANG], categories=["rudeness"],
            negativity=0.9, incident_id="inc-xinxiang",
        ),
        document(
            2, "新乡市通报12345接线员辱骂市民：涉事人员停职",
            "新乡市12345热线管理办公室发布通报，涉事接线员已停职，向市民致歉。",
            day + timedelta(hours=3), url="https://henan.test/2.html", outlet="河南日报",
            domain="henan.test", tier=2, hotlines=["12345"], regions=[XINXIANG],
            categories=["rudeness"], negativity=0.7, incident_id="inc-xinxiang",
        ),
        document(
            3, "市长热线一直打不通", "多名市民反映市长热线打不通，无人接听。",
            day + timedelta(hours=1), outlet="广州日报", hotlines=["12345"],
            regions=[GUANGZHOU], categories=["unreachable"], negativity=0.35,
            incident_id="inc-guangzhou",
        ),
        document(4, "社区举办文艺汇演", "社区居民欢聚一堂，举办文艺汇演。", day, relevant=False),
        document(
            5, "热线工单被推诿", "市民反映12345热线工单被多个部门推诿。", day - timedelta(days=1),
            hotlines=["12345"], categories=["buck_passing"], negativity=0.8,
        ),
    ]


def incidents(docs: list[StoredDocument], *, level: str = "orange") -> list[IncidentRecord]:
    first, follow_up, guangzhou = docs[0], docs[1], docs[2]
    return [
        IncidentRecord(
            id="inc-xinxiang", title=first.title, first_document_id=first.id,
            first_url=first.url, first_source="fixture", first_outlet=first.outlet,
            first_seen=first.published_at, last_seen=follow_up.published_at, documents=2,
            sources=2, daily={first.published_at.date().isoformat(): 2}, regions=[XINXIANG],
            hotlines=["12345"], categories=["rudeness"], negativity=0.8, level=level,
            score={"red": 9, "orange": 7, "yellow": 4, "blue": 1}[level], reasons=ORANGE_REASONS,
        ),
        IncidentRecord(
            id="inc-guangzhou", title=guangzhou.title, first_document_id=guangzhou.id,
            first_url=guangzhou.url, first_source="fixture", first_outlet=guangzhou.outlet,
            first_seen=guangzhou.published_at, last_seen=guangzhou.published_at, documents=1,
            sources=1, daily={guangzhou.published_at.date().isoformat(): 1},
            regions=[GUANGZHOU], hotlines=["12345"], categories=["unreachable"],
            negativity=0.5, level="blue", score=0, reasons=[],
        ),
    ]


def build_store(
    data_dir: Path, *, day: datetime = DAY, level: str = "orange"
) -> list[StoredDocument]:
    """Fill ``data_dir``'s SQLite store; returns the documents."""
    docs = documents(day)
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        store.upsert_many(docs)
        store.replace_incidents(incidents(docs, level=level))
    finally:
        store.close()
    return docs


def set_level(data_dir: Path, level: str, *, day: datetime = DAY) -> None:
    """Re-store the incidents with the Xinxiang one at ``level``."""
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        store.replace_incidents(incidents(documents(day), level=level))
    finally:
        store.close()


def write_config(path: Path, *, port: int, extra: str = "", recipients: str = "") -> Path:
    """A hotwatch.toml whose [email] table points at a loopback SMTP server."""
    recipients = recipients or 'default = ["pr@hotwatch.test", "lead@hotwatch.test"]'
    path.write_text(
        f"""
[email]
host = "127.0.0.1"
port = {port}
from = "舆情监测中心 <yuqing@hotwatch.test>"
list_unsubscribe = "mailto:yuqing@hotwatch.test?subject=unsubscribe"
timeout = 10
{extra}

[email.recipients]
{recipients}
""",
        encoding="utf-8",
    )
    return path
