"""Produce and deliver digests: choose the plan, build, render, write .eml, send once, retry.

These are the functions behind ``hotwatch digest``; the command only parses options.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from analysis.plans import Plan
from index import Store
from reports.delivery import transport_for
from reports.digest import build_digest
from reports.digest_model import SHANGHAI, Digest, Period, PlanFilter
from reports.errors import UnknownPlan
from reports.history import LevelHistory, observe_store
from reports.mail import build_message, message_bytes
from reports.outbox import Postman, RetryResult
from reports.render import render_digest
from reports.settings import DEFAULT_PLAN, EmailSettings, parse_address
from reports.state import write_atomic

logger = logging.getLogger(__name__)

HISTORY_LOOKBACK = timedelta(days=30)


@dataclass
class SendOutcome:
    """``sent``, or ``skipped`` because this plan+period+date was sent before."""

    key: str
    status: str
    recipients: list[str] = field(default_factory=list)
    sent_at: str | None = None


def default_day(now: datetime) -> date:
    """The digest date when none is given: yesterday in Asia/Shanghai."""
    return now.astimezone(SHANGHAI).date() - timedelta(days=1)


def resolve_plan(name: str, plans: Sequence[Plan], settings: EmailSettings) -> PlanFilter:
    """``default`` covers everything; a configured plan filters by its rule."""
    for plan in plans:
        if plan.name == name:
            return PlanFilter.from_plan(plan)
    if name == DEFAULT_PLAN or name in settings.recipients:
        return PlanFilter(name)
    known = ", ".join([DEFAULT_PLAN, *(p.name for p in plans)])
    raise UnknownPlan(f"no plan named {name!r} (configured: {known})")


def make_digest(
    store: Store, state_dir: Path, period: Period, plan: PlanFilter, now: datetime,
    deadlines: Mapping[str, timedelta] | None = None,
) -> Digest:
    """Record the incidents' current levels, then build the digest (with 处置情况 when
    ``deadlines`` are given)."""
    history = LevelHistory(state_dir)
    observe_store(store, history, now, lookback=HISTORY_LOOKBACK)
    history.save()
    return build_digest(store, period, plan=plan, history=history, now=now, deadlines=deadlines)


def digest_message(
    digest: Digest, settings: EmailSettings, recipients: Sequence[str]
) -> tuple[EmailMessage, str]:
    """The email and its HTML (for the .html written beside an .eml)."""
    rendered = render_digest(digest, unsubscribe=settings.list_unsubscribe)
    message = build_message(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        sender=settings.sender,
        recipients=list(recipients),
        list_unsubscribe=settings.list_unsubscribe,
        key=digest.key,
    )
    return message, rendered.html


def write_eml(message: EmailMessage, html: str, path: Path) -> tuple[Path, Path]:
    """Write ``path`` (the .eml) and the HTML part beside it; returns both paths."""
    html_path = path.with_suffix(".html")
    write_atomic(path, message_bytes(message))
    write_atomic(html_path, html.encode("utf-8"))
    return path, html_path


def postman_for(settings: EmailSettings, state_dir: Path) -> Postman:
    return Postman(state_dir, lambda: transport_for(settings))


def send_digest(
    message: EmailMessage,
    key: str,
    settings: EmailSettings,
    state_dir: Path,
    *,
    force: bool = False,
    postman: Postman | None = None,
) -> SendOutcome:
    """Send once per key (``force`` sends again); raises ``DeliveryError``, message kept."""
    postman = postman or postman_for(settings, state_dir)
    previous = postman.sent_records(key)
    if previous and not force:
        last = previous[-1]
        return SendOutcome(key, "skipped", list(last.get("recipients", [])), last.get("sent_at"))
    settings.require_server()
    entry = postman.send(message, key, sender=settings.sender.addr_spec)
    return SendOutcome(key, "sent", entry.recipients)


def retry_outbox(settings: EmailSettings, state_dir: Path) -> RetryResult:
    """Deliver every message waiting in the outbox."""
    return postman_for(settings, state_dir).retry()


def digest_recipients(
    settings: EmailSettings, plan: str, override: Sequence[str], *, sending: bool
) -> list[str]:
    """``--to`` addresses, else the plan's (or default) recipients.

    Without any configured recipient a written-out .eml is addressed to the sender;
    sending then needs recipients and raises ``EmailConfigError``.
    """
    if override:
        for address in override:
            parse_address(address, "--to")
        return list(override)
    if sending:
        settings.require_server()
        return list(settings.recipients_for(plan))
    found = settings.recipients.get(plan) or settings.recipients.get(DEFAULT_PLAN)
    return list(found) if found else [settings.sender.addr_spec]
