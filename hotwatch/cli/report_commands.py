"""``hotwatch digest``, ``alerts``, ``report digest|incident`` and ``run``: skins over ``Hotwatch``.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(...)``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from hotwatch.api import render_incident_report
from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context, report_errors
from reports.documents import BINARY_FORMATS
from reports.outbox import RetryResult
from reports.settings import PERIODS


@click.command()
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day covered (default: yesterday, Asia/Shanghai).",
)
@click.option(
    "--plan",
    default="default",
    show_default=True,
    help="Monitoring plan: filters the content and picks the recipients.",
)
@click.option("--period", type=click.Choice(PERIODS), default="day", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the .eml (and .html) here.")
@click.option("--send", is_flag=True, help="Send it (once per plan, period and date).")
@click.option("--to", "recipients", multiple=True, help="Send to this address instead.")
@click.option("--force", is_flag=True, help="Send even if this digest was sent already.")
@click.option("--preview", is_flag=True, help="Print the plain-text part.")
@click.option("--retry", is_flag=True, help="Deliver the messages waiting in the outbox.")
@pass_context
@handle_errors
@report_errors
def digest(
    context: Context,
    day: datetime | None,
    plan: str,
    period: str,
    out: str | None,
    send: bool,
    recipients: tuple[str, ...],
    force: bool,
    preview: bool,
    retry: bool,
) -> None:
    """Build the daily (or weekly) briefing 舆情日报; print, write or email it.

    \b
    Example:
        hotwatch digest --preview
        hotwatch digest --date 2021-04-25 --out digest.eml
        hotwatch digest --send --plan xinxiang
        hotwatch digest --retry
    """
    api = context.api
    if retry:
        _report_retry(api.retry_outbox(), final=not (send or out or preview))
        if not (send or out or preview):
            return
    draft = api.digest(
        day=day.date() if day else None,
        plan=plan,
        period=period,
        recipients=recipients,
        sending=send,
    )
    if out:
        eml_path, html_path = api.write_digest(draft, out)
        click.echo(f"wrote {eml_path} and {html_path}", err=bool(preview))
    if preview or not (out or send):
        click.echo(draft.text, nl=False)
    if send:
        outcome = api.send_digest(draft, force=force)
        if outcome.status == "skipped":
            click.echo(
                f"{draft.key} was already sent on {outcome.sent_at} (use --force to send it again)"
            )
        else:
            click.echo(f"sent {draft.key} to {', '.join(outcome.recipients)}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Show the alerts without sending or recording.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
@report_errors
def alerts(context: Context, dry_run: bool, as_json: bool) -> None:
    """Alert every channel (DingTalk, WeCom, Feishu, webhook, email) on incidents at its level.

    Messages a channel refused are retried first; each incident and level goes out
    once per channel.

    \b
    Example:
        hotwatch alerts --dry-run
    """
    run = context.api.alerts(dry_run=dry_run)
    outcomes = run.outcomes
    if as_json:
        output.echo_json({
            "dry_run": dry_run,
            "alerts": [o.to_json() for o in outcomes],
            "retried": [e.key for e in run.retried.delivered],
            "still_queued": [{"key": e.key, "channel": e.channel, "error": error}
                             for e, error in run.retried.failed],
            "source_health": [n.to_json() for n in run.health],
        })
    else:
        for entry in run.retried.delivered:
            click.echo(f"delivered {entry.key} to {entry.channel} (from the outbox)")
        for entry, error in run.retried.failed:
            click.echo(f"still queued {entry.key} for {entry.channel}: {error}", err=True)
        if outcomes:
            click.echo(
                output.table(
                    ["incident", "level", "title", "channels", "error"],
                    [
                        [
                            o.alert.record.id,
                            o.alert.level,
                            output.truncate(o.alert.record.title, 36),
                            ", ".join(
                                f"{r.channel}: {r.status}" for r in o.results
                            ) or ", ".join(o.alert.channels),
                            o.error or "",
                        ]
                        for o in outcomes
                    ],
                )
            )
        for notice in run.health:
            click.echo(f"source {notice.health.source} {notice.health.status}: "
                       f"{notice.channel} {notice.status}")
        click.echo(f"{len(outcomes)} alert(s){' (dry run, nothing sent)' if dry_run else ''}")
    failed = run.errors
    if failed:
        raise click.ClickException(
            f"{failed[0]} ({len(failed)} message(s) not delivered; they stay in the outbox and "
            "go out with the next hotwatch alerts / run, emails also with hotwatch digest --retry)"
        )


@click.group()
def report() -> None:
    """Reports: the 舆情专报 of a period, or one incident's 事件脉络 (Word, PDF, HTML ...).

    \b
    Example:
        hotwatch report digest --period week --out weekly.docx
        hotwatch report incident inc-3f2a9c0d --format html --out report.html
    """


@report.command("digest")
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day covered (default: yesterday, Asia/Shanghai).",
)
@click.option("--period", type=click.Choice(PERIODS), default="day", show_default=True)
@click.option("--plan", default="default", show_default=True, help="Monitoring plan to cover.")
@click.option(
    "--format", "fmt", type=click.Choice(["docx", "pdf"]), default="docx", show_default=True,
    help="docx: Word/WPS; pdf: the same through LibreOffice (soffice) when installed.",
)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="Write to this file.")
@pass_context
@handle_errors
@report_errors
def report_digest(
    context: Context, day: datetime | None, period: str, plan: str, fmt: str, out: str
) -> None:
    """Write the 舆情专报 of a day or week: 总体态势, charts, incidents with risk levels, sources.

    \b
    Example:
        hotwatch report digest --date 2021-04-25 --format docx --out 专报.docx
        hotwatch report digest --period week --format pdf --out weekly.pdf
    """
    data = context.api.digest_document(
        day=day.date() if day else None, period=period, plan=plan, format=fmt
    )
    _write(out, data)


@report.command("incident")
@click.argument("incident_id")
@click.option(
    "--format", "fmt", type=click.Choice(["html", "md", "json", "docx", "pdf"]), default="md",
    show_default=True, help="docx and pdf need --out; pdf needs LibreOffice (soffice).",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file.")
@pass_context
@handle_errors
@report_errors
def report_incident(context: Context, incident_id: str, fmt: str, out: str | None) -> None:
    """Write an incident report (事件脉络): timeline, first source, responses, spread, risk.

    \b
    Example:
        hotwatch report incident inc-3f2a9c0d --format html --out report.html
        hotwatch report incident inc-3f2a9c0d --format docx --out 事件专报.docx
    """
    if fmt in BINARY_FORMATS and not out:
        raise click.UsageError(f"--format {fmt} writes a file: add --out FILE")
    if fmt in BINARY_FORMATS:
        assert out is not None
        _write(out, context.api.incident_document(incident_id, format=fmt))
        return
    text = render_incident_report(context.api.incident_report(incident_id), fmt)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=False)


def _write(out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from None
    click.echo(f"wrote {out} ({len(data) // 1024 + 1} KiB)")


@click.command()
@click.option("--source", "source_names", multiple=True, help="Crawl only this source.")
@click.option("--max-pages", type=click.IntRange(min=0), default=0)
@click.option("--no-crawl", is_flag=True, help="Skip the crawl (alerts and digest only).")
@pass_context
@handle_errors
@report_errors
def run(context: Context, source_names: tuple[str, ...], max_pages: int, no_crawl: bool) -> None:
    """Crawl, index, alert, and send the digest when due; one locked run for cron.

    \b
    Example:
        */30 * * * * cd /srv/hotwatch && hotwatch run
    """
    summary = context.api.run(sources=source_names, max_pages=max_pages, crawl=not no_crawl)
    if summary.crawl is not None:
        summaries, changed = summary.crawl
        click.echo(
            f"crawl: {len(summaries)} source(s), {sum(s.new for s in summaries)} new, "
            f"{sum(s.errors for s in summaries)} error(s); {changed} incident change(s)"
        )
    click.echo(
        f"alerts: {sum(bool(o.delivered) for o in summary.alerts)} sent, "
        f"{len(summary.alerts)} raised"
        + (f"; {len(summary.health)} source-health notice(s)" if summary.health else "")
    )
    for outcome in summary.digests:
        click.echo(f"digest: {outcome.key} {outcome.status}")
    if summary.errors:
        more = f" (and {len(summary.errors) - 1} more)" if len(summary.errors) > 1 else ""
        raise click.ClickException(summary.errors[0] + more)


def _report_retry(result: RetryResult, *, final: bool) -> None:
    for entry in result.delivered:
        click.echo(f"delivered {entry.key} ({entry.path.name})")
    for entry, error in result.failed:
        click.echo(f"still queued {entry.key}: {error}", err=True)
    if not result.delivered and not result.failed:
        click.echo("outbox is empty")
    if final and result.failed:
        raise click.ClickException(
            f"{len(result.failed)} message(s) could not be delivered and stay in the outbox: "
            f"{result.failed[0][1]}"
        )
