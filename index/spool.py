"""Documents a remote store could not take yet, kept on local disk until they can be replayed.

One JSON object a line in ``<data dir>/es-spool/spool.jsonl``. Appends are flushed
and fsynced before the caller counts a document as kept; a replay replaces the
file atomically with whatever still failed, so a crash mid-replay loses nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from index.errors import StoreUnavailable

SPOOL_DIRECTORY = "es-spool"
SPOOL_FILE = "spool.jsonl"


class Spool:
    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / SPOOL_FILE

    def append(self, records: Iterable[dict[str, Any]]) -> int:
        lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
        if not lines:
            return 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as spool:
                spool.writelines(lines)
                spool.flush()
                os.fsync(spool.fileno())
        except OSError as error:
            raise StoreUnavailable(f"cannot write the spool {self.path}: {error}") from error
        return len(lines)

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        with self.path.open(encoding="utf-8") as spool:
            for line in spool:
                if line.strip():
                    records.append(json.loads(line))
        return records

    def replace(self, records: Iterable[dict[str, Any]]) -> None:
        """Keep exactly these records (an empty list removes the file)."""
        records = list(records)
        if not records:
            self.path.unlink(missing_ok=True)
            return
        partial = self.path.with_suffix(".jsonl.partial")
        with partial.open("w", encoding="utf-8") as spool:
            spool.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            spool.flush()
            os.fsync(spool.fileno())
        os.replace(partial, self.path)

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open(encoding="utf-8") as spool:
            return sum(1 for line in spool if line.strip())
