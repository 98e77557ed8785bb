"""What placing a document into an incident reads of it: its features (place, time,
hotlines, URL) and its fingerprint (MinHash signature, salient bigrams, particulars)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from operator import add

import numpy as np

from analysis.incidents.clues import clues as report_clues
from analysis.incidents.minhash import CJK_RUNS, minhash

SALIENT_CHARS = 600
COPY, FOLLOW_UP = "copy", "follow_up"  # routes into an incident (``IncidentFeatures.joins``)
COMMON_BIGRAMS = frozenset(
    "热线 市民 工作 反映 记者 问题 人员 相关 表示 部门 情况 服务 电话 投诉 进行 没有 "
    "已经 目前 我们 他们 这个 一个 时间 处理 要求 群众 社会 政府 单位 有关 近日 发现 "
    "接线 线员 12 23 34 45 今年 日前 可以 就是 自己 因为 所以 但是 如果 通过".split()
)


@dataclass
class IncidentFeatures:
    doc_id: str
    title: str
    text: str
    published_at: datetime | None = None
    regions: list[dict[str, str]] = field(default_factory=list)
    hotlines: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    url: str | None = None
    parent_url: str | None = None  # the document a repost shares: it joins that incident
    relevant: bool = True  # only relevant documents (and reposts of placed ones) are placed
    # How a document not judged relevant may still join (never found) an incident: as a
    # ``COPY`` (near-duplicate or sharing the report's particulars) or a ``FOLLOW_UP`` (the
    # same place and vocabulary); see ``analysis.relevance.event_routes``.
    joins: tuple[str, ...] = ()
    prints: Fingerprint | None = None  # computed with the analysis (a worker), else on placing


@dataclass(frozen=True)
class Fingerprint:
    """What placing a document needs from its text; cacheable by content."""

    signature: np.ndarray
    bigrams: frozenset[str]
    clues: frozenset[str] = frozenset()


def fingerprint(doc: IncidentFeatures) -> Fingerprint:
    return doc.prints or text_fingerprint(doc.title, doc.text)


def text_fingerprint(title: str, text: str) -> Fingerprint:
    return Fingerprint(
        minhash(title + text), frozenset(_salient(title, text)), report_clues(title, text)
    )


def _salient(title: str, text: str) -> set[str]:
    return salient_bigrams(title + " " + text[:SALIENT_CHARS])



def salient_bigrams(text: str) -> set[str]:
    found: set[str] = set()
    for run in CJK_RUNS.findall(text):
        found.update(map(add, run, run[1:]))  # pairs of neighbours, in C (a rebuild's hot loop)
    # Interned: an index of 100k documents holds millions of bigrams but few distinct ones.
    return set(map(sys.intern, found - COMMON_BIGRAMS))
