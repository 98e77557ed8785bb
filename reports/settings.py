"""The ``[email]`` table of hotwatch.toml: SMTP delivery, recipients, digest and alert options.

``email_settings(raw, environ)`` validates the table and returns an ``EmailSettings``;
every problem raises ``EmailConfigError`` with a one-line message. The SMTP password
is never read from the file: ``password_env`` names the environment variable that
holds it, and the value is kept out of ``repr`` and every message.

Example::

    [email]
    host = "smtp.example.com"
    port = 587
    starttls = true
    username = "yuqing@example.com"
    password_env = "HOTWATCH_SMTP_PASSWORD"
    from = "舆情监测 <yuqing@example.com>"

    [email.recipients]
    default = ["pr-team@example.com"]
    xinxiang = ["xinxiang-office@example.com"]

    [email.digest]
    hour = 8
    plans = ["default"]

    [email.alerts]
    level = "orange"
    cooldown_hours = 24
    webhook_url = "https://hooks.example.com/hotwatch"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.risk import LEVELS
from reports.errors import EmailConfigError

DEFAULT_PLAN = "default"
ALERTS_RECIPIENTS = "alerts"
DEFAULT_SENDER = Address("舆情监测", "hotwatch", "localhost")
PERIODS = ("day", "week")
EMAIL_KEYS = {
    "host", "port", "starttls", "ssl", "username", "password_env", "from", "recipients",
    "list_unsubscribe", "timeout", "debug", "ca_file", "digest", "alerts",
}
DIGEST_KEYS = {"hour", "timezone", "period", "plans"}
ALERT_KEYS = {"level", "cooldown_hours", "lookback_hours", "webhook_url", "webhook_timeout"}


@dataclass(frozen=True)
class DigestSettings:
    """When ``hotwatch run`` sends the digest, and for which plans."""

    hour: int = 8
    timezone: str = "Asia/Shanghai"
    period: str = "day"
    plans: tuple[str, ...] = (DEFAULT_PLAN,)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class AlertSettings:
    """Which incidents raise an alert, how often, and an optional webhook."""

    level: str = "orange"
    cooldown_hours: float = 24.0
    lookback_hours: float = 72.0
    webhook_url: str | None = None
    webhook_timeout: float = 10.0


@dataclass(frozen=True)
class EmailSettings:
    """Validated ``[email]`` settings; ``password`` is resolved from ``password_env``."""

    host: str | None = None
    port: int = 25
    security: str = "none"  # "starttls", "ssl" or "none"
    username: str | None = None
    password_env: str | None = None
    password: str | None = field(default=None, repr=False, compare=False)
    sender: Address = field(default_factory=lambda: DEFAULT_SENDER)
    recipients: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    list_unsubscribe: str | None = None
    timeout: float = 30.0
    debug: bool = False
    ca_file: str | None = None
    digest: DigestSettings = DigestSettings()
    alerts: AlertSettings = AlertSettings()

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def recipients_for(self, plan: str) -> tuple[str, ...]:
        """The plan's recipients, else ``default``; raises when neither is configured."""
        found = self.recipients.get(plan) or self.recipients.get(DEFAULT_PLAN)
        if not found:
            names = "default = [...]"
            if plan != DEFAULT_PLAN:
                names = f"{plan} = [...] or {names}"
            raise EmailConfigError(
                f"no recipients for plan {plan!r}: add {names} under [email.recipients] "
                "in hotwatch.toml, or pass --to"
            )
        return found

    def credentials(self) -> tuple[str, str] | None:
        """(username, password) for SMTP AUTH, or None when no username is configured."""
        if not self.username:
            return None
        if self.password is None:
            variable = self.password_env or "(unset)"
            raise EmailConfigError(
                f"email.username is set but the password variable {variable} "
                "(email.password_env) is not set"
            )
        return self.username, self.password

    def require_server(self) -> None:
        """Raise unless a message could be sent: a host (or debug mode) and the password."""
        if not self.host and not self.debug:
            raise EmailConfigError(
                "email is not configured: add [email] host (and from, recipients) to hotwatch.toml"
            )
        self.credentials()


def email_settings(raw: Mapping[str, Any], environ: Mapping[str, str]) -> EmailSettings:
    """Validate the raw ``[email]`` table; raises ``EmailConfigError`` with a one-line message."""
    if not isinstance(raw, Mapping):
        raise EmailConfigError("[email] must be a table")
    if "password" in raw:
        raise EmailConfigError(
            "email.password is not allowed in the file: put the password in an environment "
            "variable and name it in email.password_env"
        )
    _reject_unknown(raw, EMAIL_KEYS, "email")
    starttls = _bool(raw, "starttls", False)
    use_ssl = _bool(raw, "ssl", False)
    if starttls and use_ssl:
        raise EmailConfigError("email: choose one of starttls = true or ssl = true, not both")
    security = "ssl" if use_ssl else "starttls" if starttls else "none"
    default_port = {"ssl": 465, "starttls": 587, "none": 25}[security]
    port = _number(raw, "port", default_port, int)
    if not 0 < port < 65536:
        raise EmailConfigError(f"email.port must be between 1 and 65535, not {port}")
    password_env = _string(raw, "password_env")
    return EmailSettings(
        host=_string(raw, "host"),
        port=port,
        security=security,
        username=_string(raw, "username"),
        password_env=password_env,
        password=environ.get(password_env) if password_env else None,
        sender=_sender(raw.get("from")),
        recipients=_recipients(raw.get("recipients", {})),
        list_unsubscribe=_string(raw, "list_unsubscribe"),
        timeout=_number(raw, "timeout", 30.0, float),
        debug=_bool(raw, "debug", False),
        ca_file=_string(raw, "ca_file"),
        digest=_digest(raw.get("digest", {})),
        alerts=_alerts(raw.get("alerts", {})),
    )


def parse_address(text: str, label: str) -> Address:
    """``"舆情监测 <a@b.cn>"`` or ``"a@b.cn"`` as an ``Address``; raises on anything else."""
    name, addr = parseaddr(text)
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in addr):
        raise EmailConfigError(f"{label}: {text!r} is not an email address")
    return Address(display_name=name, username=local, domain=domain)


def _sender(value: Any) -> Address:
    if value is None:
        return DEFAULT_SENDER
    if not isinstance(value, str):
        raise EmailConfigError("email.from must be a string such as \"舆情监测 <a@example.com>\"")
    return parse_address(value, "email.from")


def _recipients(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise EmailConfigError("[email.recipients] must be a table of plan name = [addresses]")
    recipients: dict[str, tuple[str, ...]] = {}
    for plan, addresses in raw.items():
        label = f"email.recipients.{plan}"
        if isinstance(addresses, str):
            addresses = [addresses]
        if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
            raise EmailConfigError(f"{label} must be a list of addresses")
        for address in addresses:
            parse_address(address, label)
        recipients[str(plan)] = tuple(addresses)
    return recipients


def _digest(raw: Any) -> DigestSettings:
    if not isinstance(raw, Mapping):
        raise EmailConfigError("[email.digest] must be a table")
    _reject_unknown(raw, DIGEST_KEYS, "email.digest")
    hour = _number(raw, "hour", 8, int, "email.digest")
    if not 0 <= hour <= 23:
        raise EmailConfigError(f"email.digest.hour must be between 0 and 23, not {hour}")
    timezone = _string(raw, "timezone", "email.digest") or "Asia/Shanghai"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise EmailConfigError(f"email.digest.timezone: unknown time zone {timezone!r}") from error
    period = _string(raw, "period", "email.digest") or "day"
    if period not in PERIODS:
        raise EmailConfigError(f"email.digest.period must be day or week, not {period!r}")
    plans = raw.get("plans", [DEFAULT_PLAN])
    if not isinstance(plans, list) or not plans or not all(isinstance(p, str) for p in plans):
        raise EmailConfigError("email.digest.plans must be a non-empty list of plan names")
    return DigestSettings(hour=hour, timezone=timezone, period=period, plans=tuple(plans))


def _alerts(raw: Any) -> AlertSettings:
    if not isinstance(raw, Mapping):
        raise EmailConfigError("[email.alerts] must be a table")
    _reject_unknown(raw, ALERT_KEYS, "email.alerts")
    level = _string(raw, "level", "email.alerts") or "orange"
    if level not in LEVELS:
        raise EmailConfigError(
            f"email.alerts.level must be one of {', '.join(LEVELS)}, not {level!r}"
        )
    webhook = _string(raw, "webhook_url", "email.alerts")
    if webhook and not webhook.startswith(("http://", "https://")):
        raise EmailConfigError("email.alerts.webhook_url must be an http:// or https:// URL")
    settings = AlertSettings(
        level=level,
        cooldown_hours=_number(raw, "cooldown_hours", 24.0, float, "email.alerts"),
        lookback_hours=_number(raw, "lookback_hours", 72.0, float, "email.alerts"),
        webhook_url=webhook or None,
        webhook_timeout=_number(raw, "webhook_timeout", 10.0, float, "email.alerts"),
    )
    if settings.cooldown_hours < 0 or settings.lookback_hours <= 0:
        raise EmailConfigError("email.alerts: cooldown_hours and lookback_hours must be positive")
    return settings


def _reject_unknown(raw: Mapping[str, Any], known: set[str], label: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise EmailConfigError(f"{label}: unknown key {unknown[0]!r}")


def _string(raw: Mapping[str, Any], key: str, table: str = "email") -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EmailConfigError(f"{table}.{key} must be a string")
    return value.strip() or None


def _bool(raw: Mapping[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise EmailConfigError(f"email.{key} must be true or false")
    return value


def _number(
    raw: Mapping[str, Any], key: str, default: Any, kind: type, table: str = "email"
) -> Any:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EmailConfigError(f"{table}.{key} must be a number")
    if kind is int and value != int(value):
        raise EmailConfigError(f"{table}.{key} must be a whole number")
    return kind(value)
