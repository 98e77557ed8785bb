"""``[alerts]`` and ``[[alerts.channels]]``: where alerts go, from which level, how often.

Example::

    [alerts]
    cooldown_hours = 24
    lookback_hours = 72

    [[alerts.channels]]
    type = "dingtalk"                      # dingtalk | wecom | feishu | webhook | email
    url = "https://oapi.dingtalk.com/robot/send?access_token=..."
    secret_env = "HOTWATCH_DINGTALK_SECRET"
    level = "orange"

Secrets never come from the file: ``secret_env`` (and ``url_env`` for a URL that
carries a token) name environment variables. Without ``[[alerts.channels]]`` the
older ``[email.alerts]`` settings still apply: an email channel when ``[email]``
has a host, and a webhook channel for ``email.alerts.webhook_url``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from analysis.risk import LEVELS
from reports.errors import EmailConfigError
from reports.settings import EmailSettings, parse_address

CHANNEL_TYPES = ("dingtalk", "wecom", "feishu", "webhook", "email")
ALERTS_KEYS = {"cooldown_hours", "lookback_hours", "channels", "source_silent_runs"}
HEALTH_LEVEL = "orange"  # crawl-health notices go to channels that take this level
CHANNEL_KEYS = {"type", "name", "url", "url_env", "secret_env", "level", "timeout", "to"}
SIGNED_TYPES = ("dingtalk", "feishu", "webhook")
WEB_KEYS = {"base_url"}


class AlertConfigError(EmailConfigError):
    """``[alerts]`` or ``[web]`` has a bad value; the message is one line."""


@dataclass(frozen=True)
class Channel:
    """One destination for alerts; ``secret`` and ``url`` are resolved from the environment."""

    name: str
    type: str
    level: str = "orange"
    url: str | None = field(default=None, repr=False)
    url_env: str | None = None
    secret: str | None = field(default=None, repr=False, compare=False)
    secret_env: str | None = None
    timeout: float = 10.0
    to: tuple[str, ...] = ()

    def accepts(self, level: str) -> bool:
        return LEVELS.index(level) >= LEVELS.index(self.level)

    def missing(self) -> str | None:
        """Why this channel cannot send now (an unset variable), or None."""
        if self.type != "email" and not self.url:
            return f"channel {self.name}: the URL variable {self.url_env} is not set"
        if self.secret_env and not self.secret:
            return f"channel {self.name}: the secret variable {self.secret_env} is not set"
        return None


@dataclass(frozen=True)
class AlertConfig:
    """Every alert channel, the cool-down and look-back, and the web page's address."""

    channels: tuple[Channel, ...] = ()
    cooldown_hours: float = 24.0
    lookback_hours: float = 72.0
    base_url: str | None = None
    email: EmailSettings = field(default_factory=EmailSettings)
    source_silent_runs: int = 3  # runs in a row without a yield before a source alerts
    # Handling deadlines per risk level ([workflow.deadlines]): an open incident past its
    # deadline is escalated once to the channels that take its level. Empty: never.
    deadlines: Mapping[str, timedelta] = field(default_factory=dict)

    @property
    def level(self) -> str:
        """The lowest level any channel takes (``red`` when there is no channel)."""
        return min((c.level for c in self.channels), key=LEVELS.index, default="red")

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise AlertConfigError(f"no alert channel named {name!r}")


def alert_config(
    email: EmailSettings,
    raw: Any,
    environ: Mapping[str, str],
    *,
    email_raw: Mapping[str, Any] | None = None,
    web: Any = None,
) -> AlertConfig:
    """Validate ``[alerts]`` (and ``[web] base_url``) against the validated ``[email]``."""
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise AlertConfigError("[alerts] must be a table")
    _reject_unknown(raw, ALERTS_KEYS, "alerts")
    legacy = dict((email_raw or {}).get("alerts", {}) or {})
    for key in ("cooldown_hours", "lookback_hours"):
        if key in raw and key in legacy:
            raise AlertConfigError(
                f"alerts.{key} and email.alerts.{key} are both set: keep alerts.{key} only"
            )
    cooldown = _number(raw, "cooldown_hours", email.alerts.cooldown_hours)
    lookback = _number(raw, "lookback_hours", email.alerts.lookback_hours)
    if cooldown < 0 or lookback <= 0:
        raise AlertConfigError("alerts: cooldown_hours and lookback_hours must be positive")
    entries = raw.get("channels")
    if entries is None:
        channels = _legacy_channels(email)
    else:
        if not isinstance(entries, list):
            raise AlertConfigError("alerts.channels must be an array of tables [[alerts.channels]]")
        if email.alerts.webhook_url:
            raise AlertConfigError(
                "email.alerts.webhook_url does not apply beside [[alerts.channels]]: "
                'add it as a channel with type = "webhook"'
            )
        channels = tuple(
            _channel(entry, f"alerts.channels[{i}]", environ, email)
            for i, entry in enumerate(entries)
        )
    names = [c.name for c in channels]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise AlertConfigError(
            f"alerts.channels: two channels named {duplicate!r}; give each a distinct name"
        )
    silent = _number(raw, "source_silent_runs", 3)
    if silent < 1 or silent != int(silent):
        raise AlertConfigError("alerts.source_silent_runs must be a whole number of at least 1")
    return AlertConfig(channels, cooldown, lookback, _base_url(web), email, int(silent))


def _legacy_channels(email: EmailSettings) -> tuple[Channel, ...]:
    level = email.alerts.level
    channels = []
    if email.host or email.debug:
        channels.append(Channel("email", "email", level))
    if email.alerts.webhook_url:
        channels.append(
            Channel("webhook", "webhook", level, email.alerts.webhook_url,
                    timeout=email.alerts.webhook_timeout)
        )
    return tuple(channels)


def _channel(entry: Any, label: str, environ: Mapping[str, str], email: EmailSettings) -> Channel:
    if not isinstance(entry, Mapping):
        raise AlertConfigError(f"{label} must be a table")
    if "secret" in entry:
        raise AlertConfigError(
            f"{label}: secret is not allowed in the file: put it in an environment variable "
            "and name it in secret_env"
        )
    _reject_unknown(entry, CHANNEL_KEYS, label)
    kind = _string(entry, "type", label)
    if kind not in CHANNEL_TYPES:
        raise AlertConfigError(
            f"{label}: type must be one of {' | '.join(CHANNEL_TYPES)}, not {kind!r}"
        )
    level = _string(entry, "level", label) or "orange"
    if level not in LEVELS:
        raise AlertConfigError(f"{label}: level must be one of {', '.join(LEVELS)}, not {level!r}")
    url, url_env = _string(entry, "url", label), _string(entry, "url_env", label)
    secret_env = _string(entry, "secret_env", label)
    to = _addresses(entry.get("to", []), label)
    if kind == "email":
        for key, value in (("url", url), ("url_env", url_env), ("secret_env", secret_env)):
            if value:
                raise AlertConfigError(f"{label}: {key} does not apply to an email channel")
        if not (email.host or email.debug):
            raise AlertConfigError(f"{label}: an email channel needs [email] host")
    else:
        if to:
            raise AlertConfigError(f"{label}: to applies only to an email channel")
        if bool(url) == bool(url_env):
            raise AlertConfigError(f"{label}: set url or url_env (one of them)")
        if secret_env and kind not in SIGNED_TYPES:
            raise AlertConfigError(
                f"{label}: a {kind} robot has no signing secret (its key is in the URL)"
            )
    if url_env:
        url = environ.get(url_env, "").strip() or None
    if url and not url.startswith(("http://", "https://")):
        raise AlertConfigError(f"{label}: url must be an http:// or https:// URL")
    timeout = _number(entry, "timeout", 10.0, label)
    if timeout <= 0:
        raise AlertConfigError(f"{label}: timeout must be positive")
    return Channel(
        name=_string(entry, "name", label) or kind,
        type=kind,
        level=level,
        url=url,
        url_env=url_env,
        secret=environ.get(secret_env, "").strip() or None if secret_env else None,
        secret_env=secret_env,
        timeout=timeout,
        to=to,
    )


def _base_url(web: Any) -> str | None:
    if web is None:
        return None
    if not isinstance(web, Mapping):
        raise AlertConfigError("[web] must be a table")
    _reject_unknown(web, WEB_KEYS, "web")
    url = _string(web, "base_url", "web")
    if url and not url.startswith(("http://", "https://")):
        raise AlertConfigError("web.base_url must be an http:// or https:// URL")
    return url.rstrip("/") if url else None


def _addresses(value: Any, label: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AlertConfigError(f"{label}.to must be a list of addresses")
    for address in value:
        parse_address(address, f"{label}.to")
    return tuple(value)


def _reject_unknown(raw: Mapping[str, Any], known: set[str], label: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise AlertConfigError(f"{label}: unknown key {unknown[0]!r}")


def _string(raw: Mapping[str, Any], key: str, label: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AlertConfigError(f"{label}.{key} must be a string")
    return value.strip() or None


def _number(raw: Mapping[str, Any], key: str, default: float, label: str = "alerts") -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AlertConfigError(f"{label}.{key} must be a number")
    return float(value)
