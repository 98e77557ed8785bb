"""``hotwatch eval``: score relevance, tags and incidents against the labelled set.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(eval_command)``.
"""

from __future__ import annotations

from typing import Any

import click

from analysis.evaluation import DevsetError, EvaluationReport, evaluate_set
from analysis.evaluation.devset import SUBSETS
from hotwatch.cli import output


@click.command("eval")
@click.option(
    "--set",
    "subset",
    type=click.Choice(SUBSETS),
    default="dev",
    show_default=True,
    help="Which part of the labelled set: dev (tuned on), test (held out) or all.",
)
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False),
    help="A labelled set in the same JSON-lines format (default: the bundled one).",
)
@click.option("--json", "as_json", is_flag=True, help="Print metrics and misses as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List misclassified documents with reasons.")
def eval_command(subset: str, path: str | None, as_json: bool, verbose: bool) -> None:
    """Measure hotwatch against the labelled set, beside a plain keyword baseline.

    \b
    Example:
        hotwatch eval --set test
        hotwatch eval --set dev -v
        hotwatch eval --file my-labels.jsonl --json
    """
    try:
        report = evaluate_set(path, subset=subset)
    except DevsetError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        output.echo_json(report_json(report))
        return
    click.echo(f"set: {report.subset}, {report.documents} documents")
    click.echo(output.table(("metric", "hotwatch", "baseline", "target"), metric_rows(report)))
    if verbose:
        click.echo(f"\nmisses ({len(report.misses)}):")
        for miss in report.misses:
            reasons = f"  [{', '.join(miss.reasons)}]" if miss.reasons else ""
            line = f"{miss.doc_id}  {miss.check}: want {miss.expected}, got {miss.got}"
            click.echo(line + reasons)


def metric_rows(report: EvaluationReport) -> list[tuple[str, str, str, str]]:
    rows = []
    for metric in report.metrics:
        mark = {True: " ok", False: " MISSED", None: ""}[metric.met]
        target = f">= {metric.target:.2f}{mark}" if metric.target is not None else ""
        rows.append((metric.name, _number(metric.value), _number(metric.baseline), target))
    return rows


def report_json(report: EvaluationReport) -> dict[str, Any]:
    return {
        "set": report.subset,
        "documents": report.documents,
        "metrics": {
            metric.name: {
                "hotwatch": metric.value,
                "baseline": metric.baseline,
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
