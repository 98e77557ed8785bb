"""Alerts: a message to every configured channel as soon as an incident reaches its level.

Incidents handled as closed (已结案) or false_positive (误报) do not alert, until new
reports lift their level and the incident update reopens them. An open incident past
its handling deadline ([workflow.deadlines]) is escalated once (【处置逾期】, with its
status and assignee) to the channels that take its level.

An incident alerts when it is at or above a channel's ``level`` and was seen within
``lookback_hours``. Each incident+level goes out once per channel; again at a higher
level (escalation), and at the same level only after ``cooldown_hours`` *and* new
reports since the last alert. State lives in ``data_dir/reports/alerts.json``.
Every message is written to an outbox before it is sent (emails beside the digest,
robot posts under ``outbox/channels/``), so a failure is retried, reported, never
lost and never duplicated, and one failing channel never holds up the others.

The crawl job calls ``run_alerts(store, config, state_dir, now)`` after indexing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analysis.risk import LEVELS
from index import IncidentRecord, Store
from index.handling_records import DONE_STATUSES
from reports.alert import Alert
from reports.channels.config import AlertConfig, Channel
from reports.channels.messages import PAYLOADS
from reports.channels.messages import headline as alert_headline
from reports.channels.queue import PostQueue, PostRetry
from reports.delivery import transport_for
from reports.desk import overdue_incidents
from reports.digest import incident_item
from reports.errors import DeliveryError, EmailConfigError
from reports.formatting import LEVEL_COLORS, link_html
from reports.health_alerts import HealthNotice, send_health_notices
from reports.history import LevelHistory, observe_store, rank
from reports.mail import build_message
from reports.outbox import Postman
from reports.render import FOOTER, Rendered, incident_card_html, incident_text_lines, page
from reports.settings import ALERTS_RECIPIENTS
from reports.state import read_json, write_json

logger = logging.getLogger(__name__)

ALERT_STATE = "alerts.json"
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class ChannelResult:
    """``sent``; ``queued`` (an email in the outbox); or ``failed`` (kept for a retry)."""

    channel: str
    type: str
    status: str
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "type": self.type, "status": self.status,
                "error": self.error}


@dataclass
class AlertOutcome:
    """What happened to one alert on each of its channels."""

    alert: Alert
    results: list[ChannelResult] = field(default_factory=list)

    @property
    def emailed(self) -> bool:
        return any(r.type == "email" and r.status == "sent" for r in self.results)

    @property
    def queued(self) -> bool:
        return any(r.type == "email" for r in self.results)

    @property
    def webhook(self) -> bool | None:
        hooks = [r for r in self.results if r.type == "webhook"]
        return all(r.status == "sent" for r in hooks) if hooks else None

    @property
    def delivered(self) -> list[str]:
        return [r.channel for r in self.results if r.status == "sent"]

    @property
    def error(self) -> str | None:
        return next((r.error for r in self.results if r.error), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.alert.key,
            "title": self.alert.record.title,
            "level": self.alert.level,
            "channels": list(self.alert.channels),
            "results": [r.to_json() for r in self.results],
            "emailed": self.emailed,
            "queued": self.queued,
            "webhook": self.webhook,
            "error": self.error,
        }


@dataclass
class AlertRun:
    """New alerts and what the outbox retry at the start of the run delivered or not."""

    outcomes: list[AlertOutcome] = field(default_factory=list)
    retried: PostRetry = field(default_factory=PostRetry)
    health: list[HealthNotice] = field(default_factory=list)  # sources quiet or blocked

    @property
    def errors(self) -> list[str]:
        return (
            [e for o in self.outcomes for e in (r.error for r in o.results) if e]
            + [error for _, error in self.retried.failed]
            + [n.error for n in self.health if n.error]
        )


def alerts_enabled(config: AlertConfig) -> bool:
    """True when alerts have somewhere to go."""
    return bool(config.channels)


def evaluate_alerts(
    store: Store, config: AlertConfig, state_dir: Path, now: datetime
) -> list[Alert]:
    """Incidents that should alert now, with their channels; reads state, changes nothing."""
    if not config.channels:
        return []
    levels = LEVELS[rank(config.level):]
    since = now - timedelta(hours=config.lookback_hours)
    candidates = store.list_incidents(levels=levels, since=since, limit=MAX_CANDIDATES)
    history = LevelHistory(state_dir)
    sent = read_json(state_dir / ALERT_STATE, {})
    cooldown = timedelta(hours=config.cooldown_hours)
    # Closed and 误报 incidents stay quiet; an update reopens them if their level rises.
    done = {
        i for i, state in store.get_handling(r.id for r in candidates).items()
        if state.status in DONE_STATUSES
    }
    alerts = []
    for record in candidates:
        if record.id in done:
            continue
        channels = tuple(
            channel.name
            for channel in config.channels
            if channel.accepts(record.level)
            and not _recently_alerted(record, sent, channel.name, now, cooldown)
        )
        if not channels:
            continue
        recorded = history.changes(record.id)
        previous = recorded[-1].level if recorded else None
        status = "escalating" if previous and rank(previous) < rank(record.level) else "new"
        item = incident_item(store, record, status, previous if status == "escalating" else None)
        alerts.append(Alert(item, item.previous_level, channels))
    return alerts


def evaluate_overdue(
    store: Store, config: AlertConfig, state_dir: Path, now: datetime
) -> list[Alert]:
    """Open incidents past their handling deadline ([workflow.deadlines]) that have not
    been escalated yet: one 处置逾期 alert each, to the channels that take its level."""
    if not config.channels or not config.deadlines:
        return []
    levels = tuple(LEVELS[rank(config.level):])
    since = now - timedelta(hours=config.lookback_hours)
    sent = read_json(state_dir / ALERT_STATE, {})
    alerts = []
    for overdue in overdue_incidents(store, config.deadlines, levels=levels, since=since,
                                     now=now)[:MAX_CANDIDATES]:
        item = incident_item(store, overdue.record, "overdue", None)
        alert = Alert(item, None, overdue=overdue)
        channels = tuple(
            channel.name for channel in config.channels
            if channel.accepts(overdue.record.level) and f"{channel.name}|{alert.key}" not in sent
        )
        if channels:
            alerts.append(replace(alert, channels=channels))
    return alerts


def send_alerts(
    alerts: list[Alert],
    config: AlertConfig,
    state_dir: Path,
    now: datetime,
    *,
    postman: Postman | None = None,
    queue: PostQueue | None = None,
) -> list[AlertOutcome]:
    """Send each alert to each of its channels; record it once it is in an outbox."""
    if not config.channels:
        raise EmailConfigError(
            "no alert channel: add [[alerts.channels]] (or [email] host and recipients)"
        )
    postman = postman or Postman(state_dir, lambda: transport_for(config.email))
    queue = queue or PostQueue(state_dir)
    state = read_json(state_dir / ALERT_STATE, {})
    outcomes = []
    for alert in alerts:
        outcome = AlertOutcome(alert)
        for name in alert.channels:
            channel = config.channel(name)
            outcome.results.append(
                _send(alert, channel, config, state, state_dir, now, postman, queue)
            )
        outcomes.append(outcome)
    return outcomes


def run_alerts(
    store: Store,
    config: AlertConfig,
    state_dir: Path,
    now: datetime,
    *,
    dry_run: bool = False,
    postman: Postman | None = None,
    queue: PostQueue | None = None,
) -> AlertRun:
    """Retry the outbox, send incident alerts and crawl-health notices, record the levels seen.

    ``dry_run`` only evaluates the incident alerts.
    """
    if dry_run:
        alerts = evaluate_alerts(store, config, state_dir, now)
        alerts += evaluate_overdue(store, config, state_dir, now)
        return AlertRun([AlertOutcome(alert) for alert in alerts])
    queue = queue or PostQueue(state_dir)
    postman = postman or Postman(state_dir, lambda: transport_for(config.email))
    run = AlertRun(retried=queue.retry(config, now))
    alerts = evaluate_alerts(store, config, state_dir, now)
    alerts += evaluate_overdue(store, config, state_dir, now)
    if alerts:
        run.outcomes = send_alerts(alerts, config, state_dir, now, postman=postman, queue=queue)
    run.health = send_health_notices(config, state_dir, now, postman=postman, queue=queue)
    history = LevelHistory(state_dir)
    observe_store(store, history, now, lookback=timedelta(hours=config.lookback_hours))
    history.save()
    return run


def render_alert(
    alert: Alert, *, unsubscribe: str | None = None, base_url: str | None = None
) -> Rendered:
    """Subject, text and HTML of one alert email."""
    record = alert.record
    subject, headline = alert_headline(alert)
    page_url = f"{base_url}/incidents/{quote(record.id)}" if base_url else None
    web = [f"在 hotwatch 查看事件：<{page_url}>"] if page_url else []
    text = "\n".join(
        [subject, headline, *incident_text_lines(1, alert.item), *web, "", FOOTER]
    ) + "\n"
    footer = escape(FOOTER) + (f"<br>退订：{escape(unsubscribe)}" if unsubscribe else "")
    html = page(
        title=subject,
        heading=escape(subject),
        subheading=escape(headline),
        content=incident_card_html(alert.item)
        + (f"<p>{link_html('在 hotwatch 查看事件', page_url)}</p>" if page_url else ""),
        footer=footer,
        accent=LEVEL_COLORS[alert.level],
    )
    return Rendered(subject, text, html)


def _send(
    alert: Alert,
    channel: Channel,
    config: AlertConfig,
    state: dict[str, Any],
    state_dir: Path,
    now: datetime,
    postman: Postman,
    queue: PostQueue,
) -> ChannelResult:
    if channel.type == "email":
        rendered = render_alert(
            alert, unsubscribe=config.email.list_unsubscribe, base_url=config.base_url
        )
        try:
            recipients = channel.to or config.email.recipients_for(ALERTS_RECIPIENTS)
        except EmailConfigError as error:
            return ChannelResult(channel.name, channel.type, "failed", str(error))
        message = build_message(
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            sender=config.email.sender,
            recipients=recipients,
            list_unsubscribe=config.email.list_unsubscribe,
            key=alert.key,
        )
        entry = postman.queue(message, f"{channel.name}|{alert.key}",
                              sender=config.email.sender.addr_spec)
        _record(state, state_dir, channel, alert, now)
        try:
            postman.deliver(entry)
        except DeliveryError as error:
            logger.error("alert %s to %s not delivered: %s", alert.key, channel.name, error)
            return ChannelResult(channel.name, channel.type, "queued", str(error))
        return ChannelResult(channel.name, channel.type, "sent")
    post = queue.queue(channel, alert.key, PAYLOADS[channel.type](alert, config.base_url))
    # Recorded before the post: the outbox now owns the message, so neither a crash nor
    # a failed post can lead to a second alert for the same incident+level.
    _record(state, state_dir, channel, alert, now)
    try:
        queue.deliver(post, channel, now)
    except DeliveryError as error:
        logger.error("alert %s: %s", alert.key, error)
        return ChannelResult(channel.name, channel.type, "failed", str(error))
    return ChannelResult(channel.name, channel.type, "sent")


def _record(
    state: dict[str, Any], state_dir: Path, channel: Channel, alert: Alert, now: datetime
) -> None:
    state[f"{channel.name}|{alert.key}"] = {
        "sent_at": now.isoformat(),
        "last_seen": alert.record.last_seen.isoformat(),
    }
    write_json(state_dir / ALERT_STATE, state)


def _recently_alerted(
    record: IncidentRecord, sent: dict[str, Any], channel: str, now: datetime,
    cooldown: timedelta,
) -> bool:
    """Alerted on this channel at this level or higher within the cool-down, or no news since.

    Keys without a channel come from before channels existed and count for every channel.
    """
    for level in LEVELS[rank(record.level):]:
        key = f"alert:{record.id}:{level}"
        for entry in (sent.get(f"{channel}|{key}"), sent.get(key)):
            if not entry:
                continue
            if now - _aware(datetime.fromisoformat(entry["sent_at"])) < cooldown:
                return True
            if _aware(record.last_seen) <= _aware(datetime.fromisoformat(entry["last_seen"])):
                return True
    return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
