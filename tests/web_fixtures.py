"""The store behind the web tests, filled through the Python API: Xinxiang (an orange
incident with an official 通报/停职 follow-up), Guangzhou (blue), an irrelevant page, a
report the day before, 25 routine reports for paging, and a hostile page whose title,
text, outlet, source and region try to inject markup; and the Flask test client on it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hotwatch.config import Config, load_config
from hotwatch.web import create_app
from index import IncidentRecord, StoredDocument, open_store

DAY = datetime(2021, 4, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
XINXIANG = {"province": "河南省", "city": "新乡市"}
GUANGZHOU = {"province": "广东省", "city": "广州市"}
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
TOKEN = "s3cret-token-for-tests-0123456789"


def stored_doc(n: int, title: str, text: str, when: datetime, **fields: Any) -> StoredDocument:
    values: dict[str, Any] = dict(
        url=f"https://news.test/{n}.html", title=title, text=text, fetched_at=when,
        published_at=when, source="fixture", outlet="新乡日报", domain="news.test", tier=3,
        relevant=True, hotlines=["12345"],
    )
    values.update(fields)
    return StoredDocument(**values)


def documents() -> list[StoredDocument]:
    docs = [
        stored_doc(1, "新乡12345热线接线员骂人", "市民拨打12345热线反映问题，接线员忘记挂电话骂人不要脸。",
             DAY, regions=[XINXIANG], categories=["rudeness"], negativity=0.9,
             incident_id="inc-xinxiang"),
        stored_doc(2, "新乡市通报12345接线员辱骂市民：涉事人员停职",
             "新乡市12345热线管理办公室发布通报，涉事接线员已停职，向市民致歉。",
             DAY + timedelta(hours=3), url="https://henan.test/2.html", outlet="河南日报",
             domain="henan.test", source="henan", tier=2, regions=[XINXIANG],
             categories=["rudeness"], negativity=0.7, incident_id="inc-xinxiang"),
        stored_doc(3, "市长热线一直打不通", "多名市民反映市长热线打不通，无人接听。12345",
             DAY + timedelta(hours=1), outlet="广州日报", regions=[GUANGZHOU],
             categories=["unreachable"], negativity=0.35, incident_id="inc-guangzhou"),
        stored_doc(4, "社区举办文艺汇演", "社区居民欢聚一堂，举办文艺汇演。", DAY, relevant=False,
             hotlines=[]),
        stored_doc(5, "热线工单被推诿", "市民反映12345热线工单被多个部门推诿。",
             DAY - timedelta(days=1), categories=["buck_passing"], negativity=0.8),
        stored_doc(6, f"{SCRIPT}12345热线{BREAKOUT}",
             f"正文 {SCRIPT} 拨打12345热线 {BREAKOUT} =HYPERLINK(\"http://evil.test\") 结束",
             DAY + timedelta(hours=2), url="https://evil.test/xss.html",
             outlet=f"{BREAKOUT}媒体", source=f"src{BREAKOUT}", author=SCRIPT,
             regions=[{"province": f"<i>省</i>{BREAKOUT}"}], negativity=0.95,
             incident_id="inc-xss", reasons=[SCRIPT]),
        stored_doc(7, "=cmd|' /C calc'!A0 热线公式", "公式注入测试 12345热线", DAY - timedelta(days=2),
             url="javascript:alert(1)//x", negativity=0.1),
    ]
    for n in range(25):
        docs.append(
            stored_doc(100 + n, f"12345热线例行回访第{n}期", f"第{n}期：12345热线回访满意度调查。",
                 DAY - timedelta(days=5, minutes=n), negativity=0.3, source="routine")
        )
    return docs


def incidents(docs: list[StoredDocument]) -> list[IncidentRecord]:
    first, follow_up, guangzhou, xss = docs[0], docs[1], docs[2], docs[5]
    return [
        IncidentRecord(
            id="inc-xinxiang", title=first.title, first_document_id=first.id,
            first_url=first.url, first_source="fixture", first_outlet=first.outlet,
            first_seen=first.published_at, last_seen=follow_up.published_at, documents=2,
            sources=2, daily={"2021-04-25": 2}, regions=[XINXIANG], hotlines=["12345"],
            categories=["rudeness"], negativity=0.8, level="orange", score=7,
            reasons=["2 reports from 2 sources (+1)", "mean negativity 0.80 (+2)",
                     "covered by provincial media (+2)", "sensitive terms: 不要脸、停职 (+2)"],
        ),
        IncidentRecord(
            id="inc-guangzhou", title=guangzhou.title, first_document_id=guangzhou.id,
            first_url=guangzhou.url, first_source="fixture", first_outlet=guangzhou.outlet,
            first_seen=guangzhou.published_at, last_seen=guangzhou.published_at, documents=1,
            sources=1, daily={"2021-04-25": 1}, regions=[GUANGZHOU], hotlines=["12345"],
            categories=["unreachable"], negativity=0.5, level="blue", score=0, reasons=[],
        ),
        IncidentRecord(
            id="inc-xss", title=xss.title, first_document_id=xss.id, first_url="javascript:alert(1)",
            first_source=xss.source, first_outlet=xss.outlet, first_seen=xss.published_at,
            last_seen=xss.published_at, documents=1, sources=1, daily={"2021-04-25": 1},
            regions=xss.regions, hotlines=[SCRIPT], categories=["other"], negativity=0.95,
            level="red", score=10, reasons=[f"sensitive terms: {SCRIPT} (+2)"],
        ),
    ]


def fill_store(data_dir: Path) -> list[StoredDocument]:
    docs = documents()
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        store.upsert_many(docs)
        store.replace_incidents(incidents(docs))
    finally:
        store.close()
    return docs


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-data")
    fill_store(path)
    return path


@pytest.fixture(scope="module")
def config(data_dir: Path) -> Config:
    return load_config(None, data_dir=data_dir, environ={})


@pytest.fixture(scope="module")
def client(config: Config) -> Any:
    return create_app(config).test_client()


@pytest.fixture(scope="module")
def docs() -> list[StoredDocument]:
    return documents()


def page(client: Any, url: str, status: int = 200, **kwargs: Any) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def hit_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="hit-title"><a href="[^"]+">([^<]*)</a>', html)
