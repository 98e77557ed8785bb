"""Errors the reports package raises; the CLI turns them into one-line messages."""

from __future__ import annotations


class ReportError(Exception):
    """Base class: a problem with a report, a message or its delivery. The message is one line."""


class EmailConfigError(ReportError, ValueError):
    """The ``[email]`` table of hotwatch.toml is missing something or has a bad value."""


class DeliveryError(ReportError):
    """A message could not be delivered (server down, login refused, recipient rejected).

    The message is kept in the outbox, and ``hotwatch digest --retry`` delivers it later.
    The text never contains the SMTP password.
    """


class UnknownPlan(ReportError):
    """A ``--plan`` that is neither configured nor has recipients."""


class AlreadyRunning(ReportError):
    """Another ``hotwatch run`` holds the lock on the data directory."""
