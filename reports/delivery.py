"""SMTP delivery with ``smtplib``: plain, STARTTLS or implicit TLS, optional login.

Every failure becomes a ``DeliveryError`` with one line naming the server and what
went wrong; the password never appears in it (nor in logs: smtplib debugging stays off).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reports.errors import DeliveryError
from reports.settings import EmailSettings

logger = logging.getLogger(__name__)


@dataclass
class DeliveryResult:
    """Who accepted the message and who was refused (address → server reply)."""

    accepted: list[str]
    refused: dict[str, str] = field(default_factory=dict)


class Transport(Protocol):
    def send(self, data: bytes, sender: str, recipients: Sequence[str]) -> DeliveryResult:
        """Deliver one message; raises ``DeliveryError`` when nobody received it."""
        ...


class DebugTransport:
    """``email.debug = true``: log what would be sent instead of sending (like MailSender)."""

    def send(self, data: bytes, sender: str, recipients: Sequence[str]) -> DeliveryResult:
        logger.info(
            "debug mode, not sending %d bytes from %s to %s", len(data), sender, recipients
        )
        return DeliveryResult(accepted=list(recipients))


class SmtpTransport:
    """Opens one connection per message; settings come from ``EmailSettings``."""

    def __init__(self, settings: EmailSettings) -> None:
        settings.require_server()
        self.settings = settings

    def send(self, data: bytes, sender: str, recipients: Sequence[str]) -> DeliveryResult:
        server = self.settings.server
        try:
            with self._connect() as smtp:
                self._secure_and_login(smtp)
                refused = smtp.sendmail(sender, list(recipients), data)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(
                f"SMTP server {server} refused every recipient: {_refused(error.recipients)}"
            ) from None
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(
                f"SMTP server {server} refused the login for {self.settings.username!r}: "
                f"{_reply(error.smtp_code, error.smtp_error)}"
            ) from None
        except smtplib.SMTPSenderRefused as error:
            raise DeliveryError(
                f"SMTP server {server} refused the sender {sender}: "
                f"{_reply(error.smtp_code, error.smtp_error)}"
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(f"SMTP server {server}: {error}") from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(
                f"SMTP server {server} rejected the message: "
                f"{_reply(error.smtp_code, error.smtp_error)}"
            ) from None
        except smtplib.SMTPException as error:
            raise DeliveryError(f"SMTP server {server}: {error}") from None
        except ssl.SSLError as error:
            raise DeliveryError(f"TLS with SMTP server {server} failed: {error.reason}") from None
        except TimeoutError:
            raise DeliveryError(f"SMTP server {server} timed out") from None
        except OSError as error:
            reason = error.strerror or str(error)
            raise DeliveryError(f"cannot reach SMTP server {server}: {reason}") from None
        accepted = [r for r in recipients if r not in refused]
        return DeliveryResult(
            accepted=accepted,
            refused={r: _reply(code, text) for r, (code, text) in refused.items()},
        )

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        assert settings.host is not None
        if settings.security == "ssl":
            return smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=self._context()
            )
        return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        if self.settings.security == "starttls":
            smtp.starttls(context=self._context())
            smtp.ehlo()
        credentials = self.settings.credentials()
        if credentials:
            smtp.login(*credentials)

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file)


def transport_for(settings: EmailSettings) -> Transport:
    """The debug transport when ``email.debug`` is on, else SMTP."""
    return DebugTransport() if settings.debug else SmtpTransport(settings)


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}"


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{r} ({_reply(code, text)})" for r, (code, text) in recipients.items())
