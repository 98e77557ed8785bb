"""``hotwatch incidents`` and ``hotwatch incident``: incidents by risk, and one in full."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

import click

from analysis.risk import LEVEL_NAMES, LEVELS
from hotwatch.api.handling import IncidentHandling
from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context
from index.handling_records import STATUS_NAMES, STATUSES


@click.group("incidents", invoke_without_command=True)
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(LEVELS),
    help="Only incidents at this risk level (repeatable).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only incidents in this handling status (repeatable); lists by deadline.",
)
@click.option("--assignee", help="Only incidents assigned to this person; lists by deadline.")
@click.option("--overdue", is_flag=True, help="Only open incidents past their deadline.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def incidents_command(
    context: Context,
    levels: tuple[str, ...],
    statuses: tuple[str, ...],
    assignee: str | None,
    overdue: bool,
    limit: int,
    as_json: bool,
) -> None:
    """List incidents by risk level (红 red > 橙 orange > 黄 yellow > 蓝 blue), or, with
    --status, --assignee or --overdue, the 待办 list by deadline, soonest first.

    Incidents are updated incrementally after every crawl or ingest; `hotwatch
    incidents rebuild` groups every stored document again from scratch. Deadlines
    come from [workflow.deadlines] (default red 5h, orange 24h, yellow 3d).

    \b
    Example:
        hotwatch incidents --level red --level orange
        hotwatch incidents --status new --status handling --overdue
        hotwatch incidents --assignee 王敏 --json
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    if statuses or assignee is not None or overdue:
        rows = context.api.handling.todo(
            statuses=statuses, assignee=assignee, overdue=overdue, levels=levels, limit=limit
        )
        _echo_todo(rows, as_json=as_json)
        return
    records = context.api.incidents(levels=levels, limit=limit)
    if as_json:
        output.echo_json({"incidents": [r.to_json() for r in records]})
        return
    click.echo(
        output.table(
            [
                "id",
                "level",
                "title",
                "first source",
                "reports",
                "sources",
                "first seen",
                "last seen",
            ],
            [
                [
                    r.id,
                    LEVEL_NAMES[r.level],
                    output.truncate(r.title, 40),
                    r.first_outlet or "",
                    r.documents,
                    r.sources,
                    _when(r.first_seen),
                    _when(r.last_seen),
                ]
                for r in records
            ],
        )
    )


@click.command("incident")
@click.argument("incident_id")
@click.option("--status", type=click.Choice(STATUSES), help="Set the handling status.")
@click.option("--assignee", help='Assign the incident to this person ("" to unassign).')
@click.option("--note", default="", help="A note for the history (alone, or with a change).")
@click.option("--response-url", help="The official response (通报/回应) URL; time is now.")
@click.option(
    "--as",
    "user",
    help="Record the change as this user (default: cli:<your login name>); once users "
    "exist, an active analyst or admin.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def incident_command(
    context: Context,
    incident_id: str,
    status: str | None,
    assignee: str | None,
    note: str,
    response_url: str | None,
    user: str | None,
    as_json: bool,
) -> None:
    """Show one incident: risk and its reasons, first source, daily spread, reports, and
    its handling (status, assignee, deadline, history); or change its handling.

    Statuses: new 待研判, watching 关注中, handling 处置中, responded 已回应,
    closed 已结案, false_positive 误报. Every change is kept in the history.

    \b
    Example:
        hotwatch incident inc-3f2a9c0d
        hotwatch incident inc-3f2a9c0d --status handling --assignee 王敏 --note 已联系城管局
    """
    if status or assignee is not None or note or response_url:
        if user and context.api.users.any_users():
            # Once users exist, --as names one of them, with a role that may change handling.
            if not context.api.users.require_active(user).may("analyst"):
                raise click.ClickException(f"{user} is a viewer and may not change handling")
        changed = context.api.handling.change(
            incident_id,
            user=user or _os_user(),
            status=status,
            assignee=assignee,
            note=note,
            response_url=response_url,
        )
        if as_json:
            output.echo_json(changed.to_json())
        else:
            _echo_handling(changed)
        return
    detail = context.api.incident(incident_id)
    handling = context.api.handling.show(incident_id)
    record = detail.record
    if as_json:
        output.echo_json({**detail.to_json(), **handling.to_json()})
        return
    click.echo(record.title)
    click.echo(f"风险等级 {LEVEL_NAMES[record.level]} ({record.level}, score {record.score})")
    for reason in record.reasons:
        click.echo(f"  - {reason}")
    click.echo(f"首发 {record.first_outlet or ''} {_when(record.first_seen)}  {record.first_url}")
    click.echo(f"报道 {record.documents} 篇，来源 {record.sources} 个")
    for day, count in record.daily.items():
        click.echo(f"  {day}  {'█' * min(count, 50)} {count}")
    for hit in detail.reports.hits:
        doc = hit.document
        click.echo(f"  {_when(doc.published_at)}  {output.truncate(doc.title, 50)}  {doc.url}")
    _echo_handling(handling)


def _echo_handling(item: IncidentHandling) -> None:
    state = item.handling
    due = _when(_local(item.due_at)) if item.due_at else "无"
    click.echo(
        f"处置状态 {STATUS_NAMES[state.status]} ({state.status})"
        f"  负责人 {state.assignee or '未指派'}"
        f"  期限 {due}{'（已逾期）' if item.overdue else ''}"
    )
    if state.response_url:
        click.echo(f"官方回应 {_when(_local(state.response_at))}  {state.response_url}")
    for entry in item.history:
        change = f"{entry.field}: {entry.old or '-'} → {entry.new or '-'}"
        if entry.field == "note":
            change = "备注"
        note = f"  {entry.note}" if entry.note else ""
        click.echo(f"  {_when(_local(entry.at))}  {entry.user}  {change}{note}")


def _echo_todo(rows: list[IncidentHandling], *, as_json: bool) -> None:
    if as_json:
        output.echo_json({"incidents": [row.to_json() for row in rows]})
        return
    click.echo(
        output.table(
            ["id", "level", "status", "assignee", "due", "title"],
            [
                [
                    row.record.id,
                    LEVEL_NAMES[row.record.level],
                    STATUS_NAMES[row.handling.status],
                    row.handling.assignee or "",
                    (_when(_local(row.due_at)) if row.due_at else "")
                    + (" 逾期" if row.overdue else ""),
                    output.truncate(row.record.title, 40),
                ]
                for row in rows
            ],
        )
    )


def _local(moment: datetime | None) -> datetime | None:
    """Deadlines and history in the reader's time zone (Beijing time on a Chinese server)."""
    return moment.astimezone() if moment else None


def _os_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "----"


@incidents_command.command("rebuild")
@pass_context
@handle_errors
def rebuild_command(context: Context) -> None:
    """Group every stored document into incidents again, oldest first, from scratch.

    The incremental update after each crawl gives the same incidents for documents
    that arrive in order of publication; a rebuild also re-places documents that
    were edited or back-filled since.

    \b
    Example:
        hotwatch incidents rebuild
    """
    count, changed = context.api.rebuild_incidents()
    click.echo(f"rebuilt {count} incident(s); {changed} document(s) changed incident")
