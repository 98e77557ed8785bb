"""Outbox and sent log: every message is written to disk before it is sent.

``data_dir/reports/outbox/NAME.eml`` holds the exact bytes to send and
``NAME.json`` the envelope (recipients still to reach, attempts, last error).
``data_dir/reports/sent.jsonl`` records each delivery (key, Message-ID,
recipients, time). A message leaves the outbox only once every recipient has
accepted it or refused it permanently; ``retry()`` delivers what is left, and a
Message-ID already in the sent log is never sent to the same recipient again.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from reports.delivery import DeliveryResult, Transport
from reports.errors import DeliveryError
from reports.mail import envelope_recipients, message_bytes
from reports.state import append_jsonl, read_json, read_jsonl, write_atomic, write_json

logger = logging.getLogger(__name__)

SENT_LOG = "sent.jsonl"
OUTBOX_DIRNAME = "outbox"
RETRY_HINT = "hotwatch digest --retry"


@dataclass
class OutboxEntry:
    """One queued message and its envelope."""

    path: Path
    key: str
    message_id: str
    sender: str
    recipients: list[str]
    attempts: int = 0
    last_error: str | None = None

    @property
    def envelope_path(self) -> Path:
        return self.path.with_suffix(".json")

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "message_id": self.message_id,
            "sender": self.sender,
            "recipients": self.recipients,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


@dataclass
class RetryResult:
    delivered: list[OutboxEntry] = field(default_factory=list)
    failed: list[tuple[OutboxEntry, str]] = field(default_factory=list)


class Postman:
    """Queue, send and retry messages under one state directory."""

    def __init__(self, state_dir: Path, transport: Callable[[], Transport]) -> None:
        self.state_dir = state_dir
        self.outbox = state_dir / OUTBOX_DIRNAME
        self.sent_log = state_dir / SENT_LOG
        self._transport_factory = transport
        self._transport: Transport | None = None

    # -- the sent log --------------------------------------------------------------

    def sent_records(self, key: str) -> list[dict[str, Any]]:
        return [r for r in read_jsonl(self.sent_log) if r.get("key") == key]

    def delivered_to(self, message_id: str) -> set[str]:
        return {
            address
            for record in read_jsonl(self.sent_log)
            if record.get("message_id") == message_id
            for address in record.get("recipients", [])
        }

    # -- the outbox ----------------------------------------------------------------

    def queue(self, message: EmailMessage, key: str, *, sender: str) -> OutboxEntry:
        """Write the message to the outbox, replacing an unsent one with the same key.

        The replacement keeps the unsent one's Message-ID: a run killed after the server
        took the message but before it was logged sends it again, and the receivers' mail
        clients show one message for one Message-ID."""
        path = self.outbox / f"{_slug(key)}.eml"
        unsent = read_json(path.with_suffix(".json"), None)
        if isinstance(unsent, dict) and unsent.get("key") == key and unsent.get("message_id"):
            del message["Message-ID"]
            message["Message-ID"] = unsent["message_id"]
        entry = OutboxEntry(
            path=path,
            key=key,
            message_id=str(message["Message-ID"]),
            sender=sender,
            recipients=envelope_recipients(message),
        )
        write_atomic(path, message_bytes(message))
        write_json(entry.envelope_path, entry.to_json())
        return entry

    def pending(self) -> list[OutboxEntry]:
        """Queued messages, oldest first."""
        entries = []
        for envelope in sorted(self.outbox.glob("*.json"), key=lambda p: p.stat().st_mtime):
            data = read_json(envelope, None)
            eml = envelope.with_suffix(".eml")
            if not isinstance(data, dict) or not eml.exists():
                logger.warning("skipping damaged outbox entry %s", envelope)
                continue
            entries.append(
                OutboxEntry(
                    path=eml,
                    key=data["key"],
                    message_id=data["message_id"],
                    sender=data["sender"],
                    recipients=list(data["recipients"]),
                    attempts=int(data.get("attempts", 0)),
                    last_error=data.get("last_error"),
                )
            )
        return entries

    # -- delivery ------------------------------------------------------------------

    def send(self, message: EmailMessage, key: str, *, sender: str) -> OutboxEntry:
        """Queue then deliver; raises ``DeliveryError`` (message kept) when delivery fails."""
        entry = self.queue(message, key, sender=sender)
        self.deliver(entry)
        return entry

    def deliver(self, entry: OutboxEntry) -> DeliveryResult:
        """Deliver one queued message to the recipients that have not received it yet."""
        done = self.delivered_to(entry.message_id)
        remaining = [r for r in entry.recipients if r not in done]
        if not remaining:
            self._remove(entry)
            return DeliveryResult(accepted=[])
        entry.attempts += 1
        try:
            result = self._get_transport().send(entry.path.read_bytes(), entry.sender, remaining)
        except DeliveryError as error:
            self._keep(entry, remaining, str(error))
            raise DeliveryError(f"{error} (kept {entry.path.name} in the outbox)") from None
        append_jsonl(
            self.sent_log,
            {
                "key": entry.key,
                "message_id": entry.message_id,
                "recipients": result.accepted,
                "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        logger.info("sent %s to %s", entry.key, ", ".join(result.accepted))
        if result.refused:
            refused = "; ".join(f"{r} ({reply})" for r, reply in result.refused.items())
            message = f"SMTP server refused recipient(s): {refused}"
            self._keep(entry, list(result.refused), message)
            raise DeliveryError(
                f"{message}; delivered to {', '.join(result.accepted)} "
                f"(kept {entry.path.name} in the outbox for the rest)"
            )
        self._remove(entry)
        return result

    def retry(self) -> RetryResult:
        """Deliver every queued message; failures stay queued."""
        result = RetryResult()
        for entry in self.pending():
            try:
                self.deliver(entry)
            except DeliveryError as error:
                result.failed.append((entry, str(error)))
            else:
                result.delivered.append(entry)
        return result

    def _get_transport(self) -> Transport:
        if self._transport is None:
            self._transport = self._transport_factory()
        return self._transport

    def _keep(self, entry: OutboxEntry, remaining: list[str], error: str) -> None:
        entry.recipients = remaining
        entry.last_error = error
        write_json(entry.envelope_path, entry.to_json())

    def _remove(self, entry: OutboxEntry) -> None:
        entry.envelope_path.unlink(missing_ok=True)
        entry.path.unlink(missing_ok=True)


def _slug(key: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("_")[:80]
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"
