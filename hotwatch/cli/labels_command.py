"""``hotwatch labels export``: the PR desk's judgements as evaluation labels."""

from __future__ import annotations

import click

from hotwatch.cli.context import Context, handle_errors, pass_context


@click.group("labels")
def labels_group() -> None:
    """Staff judgement as evaluation data: every incident marked 误报 labels its
    documents not relevant; every incident taken up (处置中, 已回应, 已结案) labels them
    relevant and damaging. Measure hotwatch on them with `hotwatch eval --labels FILE`.

    \b
    Example:
        hotwatch labels export --out desk-labels.jsonl
        hotwatch eval --labels desk-labels.jsonl
    """


@labels_group.command("export")
@click.option("--out", type=click.Path(dir_okay=False), required=True,
              help="JSON-lines file in the real-page set's format (plus doc_id).")
@click.option("--texts", "texts_dir", type=click.Path(file_okay=False),
              help="Also write each page's text here as <id>.txt, the page cache's layout.")
@pass_context
@handle_errors
def export_command(context: Context, out: str, texts_dir: str | None) -> None:
    """Write one label per document of each incident the desk judged.

    \b
    Example:
        hotwatch labels export --out desk-labels.jsonl --texts desk-pages/
        HOTWATCH_PAGES_CACHE=desk-pages hotwatch eval --file desk-labels.jsonl --set all
    """
    count = context.api.export_labels(out, texts_dir=texts_dir)
    click.echo(f"wrote {count} label(s) to {out}")
