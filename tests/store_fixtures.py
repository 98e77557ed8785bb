"""Three stored documents (an insult in Xinxiang, an unreachable hotline in Guangzhou, an
irrelevant page) that the CLI and the API tests both search."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from index import StoredDocument, open_store

NOW = datetime(2021, 4, 26, 12, 0, tzinfo=UTC)


def document(n: int, title: str, text: str, **fields: object) -> StoredDocument:
    values: dict[str, object] = dict(
        url=f"http://news.test/{n}.html",
        title=title,
        text=text,
        fetched_at=NOW,
        published_at=datetime(2021, 4, 25, 2, n, tzinfo=UTC),
        source="fixture",
        relevant=True,
    )
    values.update(fields)
    return StoredDocument(**values)  # type: ignore[arg-type]


def fill_store(data_dir: Path) -> Path:
    """Store the three documents in ``data_dir``'s SQLite store; returns ``data_dir``."""
    store = open_store({"backend": "sqlite"}, data_dir)
    store.upsert_many(
        [
            document(
                1,
                "新乡12345热线接线员骂人",
                "市民拨打12345热线反映问题，接线员忘记挂电话骂人。",
                hotlines=["12345"],
                regions=[{"province": "河南省", "city": "新乡市"}],
                categories=["rudeness"],
                negativity=0.9,
            ),
            document(
                2,
                "市长热线一直打不通",
                "多名市民反映市长热线打不通，无人接听。",
                hotlines=["12345"],
                regions=[{"province": "广东省", "city": "广州市"}],
                categories=["unreachable"],
                negativity=0.7,
            ),
            document(3, "社区举办文艺汇演", "社区居民欢聚一堂，举办文艺汇演。", relevant=False),
        ]
    )
    store.close()
    return data_dir
