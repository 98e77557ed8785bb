"""Alerts: an email (and optionally a JSON webhook) as soon as an incident reaches a level.

An incident alerts when it is at or above ``email.alerts.level`` (default orange)
and was seen within ``lookback_hours``. Each incident+level alerts once; it alerts
again at a higher level (escalation), and at the same level only after
``cooldown_hours`` *and* new reports since the last alert. State lives in
``data_dir/reports/alerts.json``; alert emails go through the outbox like the
digest, so a failed send is retried, never lost and never duplicated.

The crawl job calls ``run_alerts(store, settings, state_dir, now)`` after indexing.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from analysis.risk import LEVELS
from index import IncidentRecord, Store
from reports.delivery import transport_for
from reports.digest import IncidentItem, incident_item
from reports.errors import DeliveryError, EmailConfigError
from reports.formatting import LEVEL_COLORS, level_label
from reports.history import LevelHistory, observe_store, rank
from reports.mail import build_message
from reports.outbox import OutboxEntry, Postman
from reports.render import FOOTER, Rendered, incident_card_html, incident_text_lines, page
from reports.settings import ALERTS_RECIPIENTS, EmailSettings
from reports.state import read_json, write_json

logger = logging.getLogger(__name__)

ALERT_STATE = "alerts.json"
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Alert:
    """An incident that reached the alert level (``previous_level`` set when it escalated)."""

    item: IncidentItem
    previous_level: str | None

    @property
    def record(self) -> IncidentRecord:
        return self.item.record

    @property
    def level(self) -> str:
        return self.record.level

    @property
    def escalated(self) -> bool:
        return self.previous_level is not None and rank(self.level) > rank(self.previous_level)

    @property
    def key(self) -> str:
        return f"alert:{self.record.id}:{self.level}"

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "hotwatch.alert",
            "key": self.key,
            "level": self.level,
            "level_name": level_label(self.level),
            "previous_level": self.previous_level,
            "escalated": self.escalated,
            "incident": self.item.to_json(),
        }


@dataclass
class AlertOutcome:
    """What happened to one alert: emailed, queued in the outbox, posted to the webhook."""

    alert: Alert
    emailed: bool = False
    queued: bool = False
    webhook: bool | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.alert.key,
            "title": self.alert.record.title,
            "level": self.alert.level,
            "emailed": self.emailed,
            "queued": self.queued,
            "webhook": self.webhook,
            "error": self.error,
        }


def alerts_enabled(settings: EmailSettings) -> bool:
    """True when alerts have somewhere to go: an SMTP host (or debug mode) or a webhook."""
    return bool(settings.host or settings.debug or settings.alerts.webhook_url)


def evaluate_alerts(
    store: Store, settings: EmailSettings, state_dir: Path, now: datetime
) -> list[Alert]:
    """Incidents that should alert now; reads state, changes nothing."""
    options = settings.alerts
    levels = LEVELS[rank(options.level):]
    since = now - timedelta(hours=options.lookback_hours)
    candidates = store.list_incidents(levels=levels, since=since, limit=MAX_CANDIDATES)
    history = LevelHistory(state_dir)
    sent = read_json(state_dir / ALERT_STATE, {})
    cooldown = timedelta(hours=options.cooldown_hours)
    alerts = []
    for record in candidates:
        if _recently_alerted(record, sent, now, cooldown):
            continue
        recorded = history.changes(record.id)
        previous = recorded[-1].level if recorded else None
        status = "escalating" if previous and rank(previous) < rank(record.level) else "new"
        item = incident_item(store, record, status, previous if status == "escalating" else None)
        alerts.append(Alert(item, item.previous_level))
    return alerts


def send_alerts(
    alerts: list[Alert],
    settings: EmailSettings,
    state_dir: Path,
    now: datetime,
    *,
    postman: Postman | None = None,
) -> list[AlertOutcome]:
    """Email each alert (and post it to the webhook); record it once it is in the outbox."""
    email = bool(settings.host or settings.debug)
    if not alerts_enabled(settings):
        raise EmailConfigError(
            "no alert channel: add [email] host and recipients, or email.alerts.webhook_url"
        )
    postman = postman or Postman(state_dir, lambda: transport_for(settings))
    state = read_json(state_dir / ALERT_STATE, {})
    outcomes = []
    for alert in alerts:
        outcome = AlertOutcome(alert)
        entry = _queue(alert, settings, postman) if email else None
        outcome.queued = entry is not None
        if settings.alerts.webhook_url:
            _post(alert, settings, outcome)
        if outcome.queued or outcome.webhook:
            # Recorded before delivery: the outbox now owns the email, so a crash or a
            # failed send can never lead to a second alert for the same incident+level.
            state[alert.key] = {
                "sent_at": now.isoformat(),
                "last_seen": alert.record.last_seen.isoformat(),
            }
            write_json(state_dir / ALERT_STATE, state)
        if entry is not None:
            try:
                postman.deliver(entry)
            except DeliveryError as error:
                outcome.error = str(error)
                logger.error("alert %s not delivered: %s", alert.key, error)
            else:
                outcome.emailed = True
        outcomes.append(outcome)
    return outcomes


def run_alerts(
    store: Store,
    settings: EmailSettings,
    state_dir: Path,
    now: datetime,
    *,
    dry_run: bool = False,
    postman: Postman | None = None,
) -> list[AlertOutcome]:
    """Evaluate, send (unless ``dry_run``) and record the levels seen; for the crawl job."""
    alerts = evaluate_alerts(store, settings, state_dir, now)
    if dry_run:
        return [AlertOutcome(alert) for alert in alerts]
    outcomes = send_alerts(alerts, settings, state_dir, now, postman=postman) if alerts else []
    history = LevelHistory(state_dir)
    observe_store(store, history, now, lookback=timedelta(hours=settings.alerts.lookback_hours))
    history.save()
    return outcomes


def render_alert(alert: Alert, *, unsubscribe: str | None = None) -> Rendered:
    """Subject, text and HTML of one alert email."""
    record = alert.record
    label = level_label(alert.level)
    if alert.escalated:
        headline = f"事件由{level_label(alert.previous_level or 'blue')}升级为{label}预警"
    else:
        headline = f"事件达到{label}预警"
    subject = f"【{label}预警】{record.title}"
    text = "\n".join(
        [subject, headline, *incident_text_lines(1, alert.item), "", FOOTER]
    ) + "\n"
    footer = escape(FOOTER) + (f"<br>退订：{escape(unsubscribe)}" if unsubscribe else "")
    html = page(
        title=subject,
        heading=escape(subject),
        subheading=escape(headline),
        content=incident_card_html(alert.item),
        footer=footer,
        accent=LEVEL_COLORS[alert.level],
    )
    return Rendered(subject, text, html)


def _recently_alerted(
    record: IncidentRecord, sent: dict[str, Any], now: datetime, cooldown: timedelta
) -> bool:
    """Alerted at this level or higher within the cool-down, or with no news since."""
    for level in LEVELS[rank(record.level):]:
        entry = sent.get(f"alert:{record.id}:{level}")
        if not entry:
            continue
        if now - _aware(datetime.fromisoformat(entry["sent_at"])) < cooldown:
            return True
        if _aware(record.last_seen) <= _aware(datetime.fromisoformat(entry["last_seen"])):
            return True
    return False


def _queue(alert: Alert, settings: EmailSettings, postman: Postman) -> OutboxEntry:
    rendered = render_alert(alert, unsubscribe=settings.list_unsubscribe)
    message = build_message(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        sender=settings.sender,
        recipients=settings.recipients_for(ALERTS_RECIPIENTS),
        list_unsubscribe=settings.list_unsubscribe,
        key=alert.key,
    )
    return postman.queue(message, alert.key, sender=settings.sender.addr_spec)


def _post(alert: Alert, settings: EmailSettings, outcome: AlertOutcome) -> None:
    url = settings.alerts.webhook_url
    assert url is not None
    body = json.dumps(alert.to_json(), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "hotwatch"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.alerts.webhook_timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        outcome.webhook = False
        outcome.error = outcome.error or f"webhook answered HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        outcome.webhook = False
        outcome.error = outcome.error or f"webhook unreachable: {reason}"
    else:
        outcome.webhook = True
    if outcome.webhook is False:
        logger.error("alert %s: %s", alert.key, outcome.error)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
