"""``hotwatch eval``: score relevance, tags, incidents and damage against real labelled pages.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(eval_command)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from analysis.evaluation import EvaluationReport
from analysis.evaluation.realpages import SUBSETS, RealPagesError
from hotwatch.api import evaluate
from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors

if TYPE_CHECKING:
    from hotwatch.api.labels import LabelReport

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
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(dir_okay=False),
    help="Also measure relevance and damage on the PR desk's labels (hotwatch labels "
    "export), whose documents are read from the store.",
)
@click.option("--json", "as_json", is_flag=True, help="Print metrics and misses as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List misjudged pages with reasons.")
@click.pass_obj
def eval_command(
    context: Context, subset: str, path: str | None, labels_path: str | None, as_json: bool,
    verbose: bool,
) -> None:
    """Measure hotwatch's judgement on real web pages labelled by reading them.

    Page texts are third-party and live in a local cache outside the repository
    ($HOTWATCH_PAGES_CACHE, default ~/.cache/hotwatch/realpages); see
    scripts/rebuild_realpages.py for how to rebuild it.

    \b
    Example:
        hotwatch eval --set test
        hotwatch eval --set dev -v
        hotwatch eval --file my-labels.jsonl --set all --json
        hotwatch eval --labels desk-labels.jsonl
    """
    staff = _staff_report(context, labels_path) if labels_path else None
    try:
        report = evaluate(path, subset=subset)
    except RealPagesError as error:
        if staff is None:
            raise click.ClickException(str(error)) from error
        report = None  # the desk's labels need no page cache
        unavailable = str(error)
    if as_json:
        result = report_json(report) if report else {"error": unavailable}
        if staff is not None:
            result = {**result, "labels": staff.to_json()}
        output.echo_json(result)
        return
    if staff is not None:
        _echo_staff(staff, labels_path or "")
        if report is None:
            click.echo(f"\nthe built-in real-page set: {unavailable}")
            return
        click.echo("")
    assert report is not None
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


@handle_errors
def _staff_report(context: Context, path: str) -> LabelReport:
    return context.api.evaluate_labels(path)


def _echo_staff(staff: LabelReport, path: str) -> None:
    missing = f", {staff.missing} no longer in the store" if staff.missing else ""
    click.echo(f"the desk's labels ({path}): {staff.documents} documents, "
               f"{staff.relevant} relevant{missing}")
    rows = [(m.name, _number(m.value), _number(m.baseline)) for m in staff.metrics]
    click.echo(output.table(("metric", "hotwatch", "baseline"), rows))


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
