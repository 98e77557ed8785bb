"""Export formats for search hits, named by class path like Scrapy's ``FEED_EXPORTERS``.

Each exporter writes to a binary file object through ``start_exporting()``,
``export_item(hit_json)`` for each ``Hit.to_json()`` dict, and
``finish_exporting()``. Options are popped by name; anything left raises
``TypeError("Unexpected options: ...")`` unless ``dont_fail=True``.

Example::

    with open("hits.csv", "wb") as out:
        export_items("csv", (hit.to_json() for hit in result.hits), out)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import IO, Any

EXPORTERS: dict[str, str] = {
    "csv": "reports.exporters.CsvExporter",
    "jsonl": "reports.exporters.JsonLinesExporter",
}
DEFAULT_FIELDS = (
    "id", "title", "url", "published_at", "outlet", "source", "domain", "tier", "relevant",
    "negativity", "hotlines", "regions", "categories", "plans", "incident_id", "score", "snippet",
)


class BaseExporter:
    """Shared options: ``fields_to_export``, ``encoding``, ``dont_fail``."""

    default_encoding = "utf-8"
    default_fields: tuple[str, ...] | None = None

    def __init__(self, file: IO[bytes], *, dont_fail: bool = False, **options: Any) -> None:
        self.file = file
        fields = _fields(options.pop("fields_to_export", None))
        self.fields_to_export: tuple[str, ...] | None = fields or self.default_fields
        self.encoding: str = options.pop("encoding", self.default_encoding)
        self._configure(options)
        if options and not dont_fail:
            raise TypeError(f"Unexpected options: {', '.join(sorted(options))}")

    def _configure(self, options: dict[str, Any]) -> None:
        """Subclasses pop their own options here."""

    def start_exporting(self) -> None:
        pass

    def export_item(self, item: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def finish_exporting(self) -> None:
        pass

    def fields(self, item: Mapping[str, Any]) -> list[tuple[str, Any]]:
        names = self.fields_to_export or tuple(item)
        return [(name, item.get(name)) for name in names]


class JsonLinesExporter(BaseExporter):
    """One JSON object per line, Chinese unescaped (``ensure_ascii`` option to escape)."""

    def _configure(self, options: dict[str, Any]) -> None:
        self.ensure_ascii: bool = options.pop("ensure_ascii", False)

    def export_item(self, item: Mapping[str, Any]) -> None:
        record = dict(self.fields(item))
        line = json.dumps(record, ensure_ascii=self.ensure_ascii, default=str) + "\n"
        self.file.write(line.encode(self.encoding))


class CsvExporter(BaseExporter):
    """CSV for spreadsheets: a header line, lists joined with ``join_multivalued``.

    The default encoding is ``utf-8-sig`` so that Excel opens Chinese text correctly.
    """

    default_encoding = "utf-8-sig"
    default_fields = DEFAULT_FIELDS

    def _configure(self, options: dict[str, Any]) -> None:
        self.include_headers_line: bool = options.pop("include_headers_line", True)
        self.join_multivalued: str = options.pop("join_multivalued", "|")
        self._text = io.TextIOWrapper(self.file, encoding=self.encoding, newline="",
                                      write_through=True)
        self._writer = csv.writer(self._text)

    def start_exporting(self) -> None:
        if self.include_headers_line and self.fields_to_export:
            self._writer.writerow(self.fields_to_export)

    def export_item(self, item: Mapping[str, Any]) -> None:
        self._writer.writerow([self._cell(value) for _, value in self.fields(item)])

    def finish_exporting(self) -> None:
        self._text.flush()
        self._text.detach()

    def _cell(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dict):
            return "".join(str(v) for v in value.values() if v)
        if isinstance(value, (list, tuple)):
            return self.join_multivalued.join(self._cell(v) for v in value)
        return str(value)


def exporter_class(format_name: str, registry: Mapping[str, str] | None = None) -> type:
    """The exporter class registered for a format name; raises ``ValueError`` if unknown."""
    registry = EXPORTERS if registry is None else registry
    try:
        path = registry[format_name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise ValueError(f"unknown export format {format_name!r} (choose from {known})") from None
    module_name, _, class_name = path.rpartition(".")
    return getattr(import_module(module_name), class_name)


def export_items(
    format_name: str, items: Iterable[Mapping[str, Any]], file: IO[bytes], **options: Any
) -> int:
    """Export every item to ``file`` in ``format_name``; returns how many were written."""
    exporter = exporter_class(format_name)(file, **options)
    exporter.start_exporting()
    count = 0
    for item in items:
        exporter.export_item(item)
        count += 1
    exporter.finish_exporting()
    return count


def _fields(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(f.strip() for f in value.split(",") if f.strip())
    return tuple(value)
