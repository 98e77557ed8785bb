"""Labelled real pages turned into training examples for the judgement models."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.categorise import category_evidence
from analysis.evaluation.devset import load_devset
from analysis.evaluation.realpages import LabelledPage
from analysis.judgement import model_text
from analysis.judgement.examples import ClassExample, RegressionExample, TrainingExample
from analysis.relevance import gather_evidence
from analysis.sentiment.damage import damage_evidence, severity_evidence


def relevance_examples(pages: Sequence[LabelledPage]) -> list[TrainingExample]:
    return [
        TrainingExample(
            text=model_text(page.title, page.text),
            evidence=gather_evidence(page.title, page.text).features,
            label=page.relevant,
            group=page.incident or page.id,
        )
        for page in pages
    ]


def damage_examples(
    pages: Sequence[LabelledPage], relevance: Sequence[float]
) -> list[RegressionExample]:
    """``relevance``: out-of-fold relevance probabilities, so training sees honest inputs."""
    return [
        RegressionExample(
            text=model_text(page.title, page.text),
            evidence=damage_evidence(
                gather_evidence(page.title, page.text).features,
                probability,
                category_evidence(page.title, page.text),
                severity_evidence(page.title, page.text),
            ),
            value=float(page.negativity),
            group=page.incident or page.id,
        )
        for page, probability in zip(pages, relevance, strict=True)
    ]


def category_examples(pages: Sequence[LabelledPage]) -> list[ClassExample]:
    """Relevant pages with a read category."""
    return [
        ClassExample(
            text=model_text(page.title, page.text),
            evidence=category_evidence(page.title, page.text),
            label=page.category,
            group=page.incident or page.id,
        )
        for page in pages
        if page.relevant and page.category
    ]


def written_pages() -> list[LabelledPage]:
    """The 145 documents written for unit tests, as pages: textbook shapes the web lacks."""
    return [
        LabelledPage(
            id=doc.id,
            url="",
            split="dev",
            title=doc.title,
            text=doc.text,
            relevant=doc.relevant,
            category=doc.categories[0] if doc.categories else None,
            province=doc.province,
            city=doc.city,
            incident=doc.incident,
            negativity=2 if doc.negative else 0,
            kind=doc.kind,
            origin="written",
        )
        for doc in load_devset(subset="all")
    ]
