"""A real SMTP server on 127.0.0.1 for the reports tests (aiosmtpd), plus a refusing port.

``Controller`` with ``port=0`` binds an ephemeral port but then probes the
configured port 0; ``LoopbackController`` reads the bound port from the listening
socket first. Messages are kept as raw bytes and parsed ``EmailMessage`` objects.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    """Accepts mail, refusing the addresses in ``reject`` at RCPT time."""

    reject: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(data)))
        return "250 Message accepted for delivery"


@dataclass
class HoldingHandler(RecordingHandler):
    """Holds every DATA until ``release`` is set: ``arrived`` says a message is held. With
    ``commit_first`` the message counts as received before the hold (the server took it
    but the client never heard 250), else only after it (a client killed meanwhile
    cancels the session, so nothing was received)."""

    commit_first: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        if self.commit_first:
            answer = await super().handle_DATA(server, session, envelope)
        self.arrived.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        if not self.commit_first:
            answer = await super().handle_DATA(server, session, envelope)
        return answer


class LoopbackController(Controller):
    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _authenticator(username: str, password: str):
    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == username.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_server(
    *,
    port: int = 0,
    reject: Iterable[str] = (),
    credentials: tuple[str, str] | None = None,
    tls_context: Any = None,
    handler: RecordingHandler | None = None,
) -> Iterator[tuple[LoopbackController, RecordingHandler]]:
    """Run a server for the block; yields (controller with ``.port``, handler)."""
    handler = handler or RecordingHandler(reject=set(reject))
    options: dict[str, Any] = {}
    if credentials:
        options.update(
            authenticator=_authenticator(*credentials),
            auth_required=True,
            auth_require_tls=tls_context is not None,
        )
    if tls_context is not None:
        options.update(tls_context=tls_context, require_starttls=True)
    controller = LoopbackController(handler, hostname=HOST, port=port, **options)
    # The server's own session errors (a client hanging up on a bad certificate) must not
    # reach the CLI's stderr handler while a test reads the command's output.
    server_log, quiet = logging.getLogger("mail.log"), logging.NullHandler()
    propagate, server_log.propagate = server_log.propagate, False
    server_log.addHandler(quiet)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()
        server_log.removeHandler(quiet)
        server_log.propagate = propagate


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port on 127.0.0.1 where nothing listens: bound but not listening, so connects fail."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), so STARTTLS can be verified for real."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context
