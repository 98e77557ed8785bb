"""The outbox for robot and webhook messages: written before the post, removed after it.

``data_dir/reports/outbox/channels/NAME.json`` holds the channel name, the alert key,
the unsigned payload, the attempts and the last error. A post that fails leaves the
file; ``retry`` posts it again (signed afresh) and reports what still fails. Each
delivery is appended to ``sent.jsonl`` with its channel.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reports.channels.bots import post
from reports.channels.config import AlertConfig, AlertConfigError, Channel
from reports.errors import DeliveryError
from reports.outbox import OUTBOX_DIRNAME, SENT_LOG
from reports.state import append_jsonl, read_json, write_json

logger = logging.getLogger(__name__)

CHANNELS_DIRNAME = "channels"
Poster = Callable[[Channel, dict[str, Any], datetime], None]


@dataclass
class QueuedPost:
    path: Path
    channel: str
    key: str
    payload: dict[str, Any]
    attempts: int = 0
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "key": self.key,
            "payload": self.payload,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


@dataclass
class PostRetry:
    delivered: list[QueuedPost] = field(default_factory=list)
    failed: list[tuple[QueuedPost, str]] = field(default_factory=list)


class PostQueue:
    """Queue, post and retry chat-robot and webhook messages under one state directory."""

    def __init__(self, state_dir: Path, poster: Poster = post) -> None:
        self.directory = state_dir / OUTBOX_DIRNAME / CHANNELS_DIRNAME
        self.sent_log = state_dir / SENT_LOG
        self.poster = poster

    def queue(self, channel: Channel, key: str, payload: dict[str, Any]) -> QueuedPost:
        entry = QueuedPost(self.directory / f"{_slug(channel.name, key)}.json",
                           channel.name, key, payload)
        write_json(entry.path, entry.to_json())
        return entry

    def deliver(self, entry: QueuedPost, channel: Channel, now: datetime) -> None:
        """Post once; on failure the entry stays queued and ``DeliveryError`` is raised."""
        entry.attempts += 1
        try:
            self.poster(channel, entry.payload, now)
        except DeliveryError as error:
            entry.last_error = str(error)
            write_json(entry.path, entry.to_json())
            raise DeliveryError(f"{error} (kept in the outbox, retried on the next run)") from None
        append_jsonl(
            self.sent_log,
            {"key": entry.key, "channel": entry.channel, "sent_at": now.isoformat()},
        )
        entry.path.unlink(missing_ok=True)

    def pending(self) -> list[QueuedPost]:
        entries = []
        for path in sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime):
            data = read_json(path, None)
            if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
                logger.warning("skipping damaged outbox entry %s", path)
                continue
            entries.append(
                QueuedPost(path, str(data["channel"]), str(data["key"]), data["payload"],
                           int(data.get("attempts", 0)), data.get("last_error"))
            )
        return entries

    def retry(self, config: AlertConfig, now: datetime) -> PostRetry:
        """Post every queued message again; one failing channel never stops the others."""
        result = PostRetry()
        for entry in self.pending():
            try:
                channel = config.channel(entry.channel)
            except AlertConfigError as error:
                result.failed.append((entry, f"{error}; the message stays in {entry.path}"))
                continue
            try:
                self.deliver(entry, channel, now)
            except DeliveryError as error:
                result.failed.append((entry, str(error)))
            else:
                result.delivered.append(entry)
        return result


def _slug(channel: str, key: str) -> str:
    text = f"{channel}-{key}"
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:80]
    return f"{readable}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
