"""What every command shares: the lazily loaded configuration and the error boundary.

Command modules import this one; it imports none of them, so the CLI has no import circle.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from crawler.frontier.keys import FrontierUnavailable
from hotwatch.api.core import Hotwatch
from hotwatch.api.local_files import InputError
from hotwatch.config import Config, ConfigError, load_config
from hotwatch.users import UserError
from index import StoreError
from reports.errors import ReportError


def handle_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the packages' own errors into one-line ``Error: ...`` messages (exit 1)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ConfigError, StoreError, InputError, FrontierUnavailable, UserError) as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def report_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the reports package's errors into one-line ``Error: ...`` messages (exit 1)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ReportError as error:
            raise click.ClickException(str(error)) from error

    return wrapper


class Context:
    def __init__(self, config_path: str | None, data_dir: str | None) -> None:
        self.config_path = config_path
        self.data_dir = data_dir
        self._config: Config | None = None
        self._api: Hotwatch | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path, data_dir=self.data_dir)
        return self._config

    @property
    def api(self) -> Hotwatch:
        """The Python API over this configuration; every command calls it."""
        if self._api is None:
            self._api = Hotwatch(self.config)
        return self._api


pass_context = click.make_pass_decorator(Context)
