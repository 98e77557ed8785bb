"""One kind of inconsistency a store check found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    kind: str  # unindexed, indexed-twice, stale-index, search-pending, leftover-index, spooled, ...
    count: int
    example: str | None  # one id (or URL) to look at
    message: str
    ids: list[str] = field(default_factory=list, repr=False)  # every id, where a repair needs them

    def line(self) -> str:
        example = f" (e.g. {self.example})" if self.example else ""
        return f"{self.kind}: {self.count} {self.message}{example}"

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind, "count": self.count, "example": self.example,
            "message": self.message,
        }
