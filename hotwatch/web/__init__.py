"""``hotwatch serve``: a server-rendered web page for PR staff (Simplified Chinese UI).

Pages: 今日 (``/``), 检索 (``/search``, CSV at ``/search.csv``), 事件 (``/incidents``,
``/incidents/<id>``), 文档 (``/documents/<id>``); JSON under ``/api/``. Everything is
read through the ``Store`` interface, so it works on SQLite and Elasticsearch alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from hotwatch.config import Config

__all__ = ["create_app"]


def create_app(config: Config, *, token: str | None = None) -> Flask:
    """The Flask app (see ``hotwatch.web.app.create_app``); Flask loads only when called."""
    from hotwatch.web.app import create_app as _create_app

    return _create_app(config, token=token)
