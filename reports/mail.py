"""MIME messages: multipart/alternative (text + HTML), UTF-8, RFC 2047 Chinese headers.

Built with the standard library only: ``EmailMessage`` under ``email.policy.SMTP``
(CRLF line ends, encoded words for non-ASCII headers), ``Address`` for display
names, ``make_msgid`` and ``formatdate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid

from reports.settings import parse_address

HOTWATCH_KEY_HEADER = "X-Hotwatch-Key"


def build_message(
    *,
    subject: str,
    text: str,
    html: str,
    sender: Address,
    recipients: Sequence[str | Address],
    list_unsubscribe: str | None = None,
    key: str | None = None,
) -> EmailMessage:
    """A ready-to-send message: text/plain first, text/html as the preferred alternative."""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = [_address(r) for r in recipients]
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.domain or "localhost")
    message["MIME-Version"] = "1.0"
    if list_unsubscribe:
        target = list_unsubscribe if list_unsubscribe.startswith("<") else f"<{list_unsubscribe}>"
        message["List-Unsubscribe"] = target
    if key:
        message[HOTWATCH_KEY_HEADER] = key
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def message_bytes(message: EmailMessage) -> bytes:
    """The wire form (CRLF, encoded headers), as written to .eml files and sent."""
    return message.as_bytes(policy=policy.SMTP)


def parse_message(data: bytes) -> EmailMessage:
    """Parse an .eml back into an ``EmailMessage`` with decoded headers."""
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return parsed


def envelope_recipients(message: EmailMessage) -> list[str]:
    """The bare addresses of To and Cc, in order, without duplicates."""
    seen: list[str] = []
    for header in ("To", "Cc"):
        for address in getattr(message[header], "addresses", ()) if message[header] else ():
            if address.addr_spec not in seen:
                seen.append(address.addr_spec)
    return seen


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""


def _address(value: str | Address) -> Address:
    return value if isinstance(value, Address) else parse_address(value, "recipient")
