"""``hotwatch eval``: score relevance, tags, incidents and damage against real labelled pages.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(eval_command)``.
"""

from __future__ import annotations

from typing import Any

import click

from analysis.evaluation import EvaluationReport
from analysis.evaluation.realpages import SUBSETS, RealPagesError
from hotwatch.api import evaluate
from hotwatch.cli import output

BASELINES = (
    "baseline: keyword rule (hotline word AND failure word) for relevance, "
    "1 - SnowNLP(text).sentiments for damage; baseline 2: 1 - mean SnowNLP sentence score"
)


@click.command("eval")
@click.option(
    "--set",
    "subset",
    type=click.Choice(SUBSETS),
    default="test",
    show_default=True,
    help="Which part of the real-page set: dev (trained and tuned on), test (held out) or all.",
)
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False),
    help="Your own labels in the same JSON-lines format (default: the bundled ones).",
)
@click.option("--json", "as_json", is_flag=True, help="Print metrics and misses as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List misjudged pages with reasons.")
def eval_command(subset: str, path: str | None, as_json: bool, verbose: bool) -> None:
    """Measure hotwatch's judgement on real web pages labelled by reading them.

    Page texts are third-party and live in a local cache outside the repository
    ($HOTWATCH_PAGES_CACHE, default ~/.cache/hotwatch/realpages); see
    scripts/rebuild_realpages.py for how to rebuild it.

    \b
    Example:
        hotwatch eval --set test
        hotwatch eval --set dev -v
        hotwatch eval --file my-labels.jsonl --set all --json
    """
    try:
        report = evaluate(path, subset=subset)
    except RealPagesError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        output.echo_json(report_json(report))
        return
    missing = report.missing_text
    note = f" ({missing} labelled pages without cached text)" if missing else ""
    if report.other_languages:
        note += f"; {report.other_languages} pages not in Chinese set aside (see last row)"
    click.echo(f"set: {report.subset}, {report.documents} Chinese pages{note}")
    header = ("metric", "hotwatch", "baseline", "baseline 2", "target")
    click.echo(output.table(header, metric_rows(report)))
    click.echo(BASELINES)
    if verbose:
        click.echo(f"\nmisses ({len(report.misses)}):")
        for miss in report.misses:
            reasons = f"  [{', '.join(miss.reasons)}]" if miss.reasons else ""
            line = f"{miss.doc_id}  {miss.check}: want {miss.expected}, got {miss.got}"
            click.echo(line + reasons)


def metric_rows(report: EvaluationReport) -> list[tuple[str, ...]]:
    rows = []
    for metric in report.metrics:
        mark = {True: " ok", False: " MISSED", None: ""}[metric.met]
        target = f">= {metric.target:.2f}{mark}" if metric.target is not None else ""
        values = (metric.value, metric.baseline, metric.second_baseline)
        rows.append((metric.name, *(_number(v) for v in values), target))
    return rows


def report_json(report: EvaluationReport) -> dict[str, Any]:
    return {
        "set": report.subset,
        "documents": report.documents,
        "missing_text": report.missing_text,
        "other_languages": report.other_languages,
        "metrics": {
            metric.name: {
                "hotwatch": metric.value,
                "baseline": metric.baseline,
                "baseline_2": metric.second_baseline,
                "target": metric.target,
                "met": metric.met,
                "support": metric.support,
            }
            for metric in report.metrics
        },
        "misses": [
            {
                "id": miss.doc_id,
                "check": miss.check,
                "expected": miss.expected,
                "got": miss.got,
                "reasons": list(miss.reasons),
            }
            for miss in report.misses
        ],
    }


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
