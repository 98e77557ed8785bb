"""Crawl-health notices through the alert channels: a source went quiet or got blocked.

Each spell of trouble (``SourceHealth.episode``) goes out once per channel, to the
channels that take orange alerts or lower, through the same outboxes as incident
alerts, so a failed post is retried and reported like any alert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.risk import LEVELS
from reports.channels.config import HEALTH_LEVEL, AlertConfig, Channel
from reports.channels.messages import notice_payload
from reports.channels.queue import PostQueue
from reports.errors import DeliveryError, EmailConfigError
from reports.formatting import when
from reports.health import SourceHealth, source_health
from reports.mail import build_message
from reports.outbox import Postman
from reports.settings import ALERTS_RECIPIENTS
from reports.state import read_json, write_json

logger = logging.getLogger(__name__)

HEALTH_STATE = "health-alerts.json"


@dataclass(frozen=True)
class HealthNotice:
    health: SourceHealth
    channel: str
    status: str  # sent, queued (email kept in the outbox) or failed (kept for a retry)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"source": self.health.source, "problem": self.health.status,
                "channel": self.channel, "status": self.status, "error": self.error}


def send_health_notices(
    config: AlertConfig,
    state_dir: Path,
    now: datetime,
    *,
    postman: Postman,
    queue: PostQueue,
) -> list[HealthNotice]:
    """Notify each channel once about each source that stopped yielding or is blocked."""
    problems = [h for h in source_health(state_dir, silent_runs=config.source_silent_runs)
                if h.problem]
    channels = [c for c in config.channels
                if LEVELS.index(c.level) <= LEVELS.index(HEALTH_LEVEL)]
    if not problems or not channels:
        return []
    sent = read_json(state_dir / HEALTH_STATE, {})
    notices = []
    for health in problems:
        for channel in channels:
            key = f"{channel.name}|{health.episode}"
            if key in sent:
                continue
            sent[key] = now.isoformat()
            write_json(state_dir / HEALTH_STATE, sent)  # the outbox owns it from here
            notices.append(_send(health, channel, config, now, postman, queue))
    return notices


def notice_text(health: SourceHealth) -> tuple[str, list[str]]:
    title = f"【采集异常】{health.source}：{health.status_name}"
    lines = [f"**情况**：{health.summary()}"]
    for run in health.runs[:5]:
        lines.append(
            f"- {when(run.at, with_year=True)}：抓取 {run.fetched}，新增 {run.new}，"
            f"相关 {run.relevant}，错误 {run.errors}，屏蔽 {run.blocked}"
        )
    messages = health.last.messages[:2] if health.last else ()
    lines += [f"> {message}" for message in messages]
    lines.append("查看：hotwatch sources status")
    return title, lines


def _send(
    health: SourceHealth, channel: Channel, config: AlertConfig, now: datetime,
    postman: Postman, queue: PostQueue,
) -> HealthNotice:
    title, lines = notice_text(health)
    if channel.type == "email":
        try:
            recipients = channel.to or config.email.recipients_for(ALERTS_RECIPIENTS)
        except EmailConfigError as error:
            return HealthNotice(health, channel.name, "failed", str(error))
        text = "\n".join([title, *lines]) + "\n"
        message = build_message(
            subject=title, text=text, html="<br>".join(_html_lines([title, *lines])),
            sender=config.email.sender, recipients=recipients, key=health.episode,
        )
        entry = postman.queue(message, f"{channel.name}|{health.episode}",
                              sender=config.email.sender.addr_spec)
        try:
            postman.deliver(entry)
        except DeliveryError as error:
            return HealthNotice(health, channel.name, "queued", str(error))
        return HealthNotice(health, channel.name, "sent")
    data = {"type": "hotwatch.source_health", **health.to_json()}
    post = queue.queue(channel, health.episode, notice_payload(channel.type, title, lines, data))
    try:
        queue.deliver(post, channel, now)
    except DeliveryError as error:
        logger.error("source health %s: %s", health.source, error)
        return HealthNotice(health, channel.name, "failed", str(error))
    return HealthNotice(health, channel.name, "sent")


def _html_lines(lines: list[str]) -> list[str]:
    from html import escape

    return [escape(line) for line in lines]
