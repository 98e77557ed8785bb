"""The one store interface every backend implements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from index.handling_records import Handling, HistoryEntry
from index.records import (
    IncidentRecord,
    SearchQuery,
    SearchResult,
    StoredDocument,
    UpsertOutcome,
)


class Store(Protocol):
    """A searchable document store (SQLite by default, Elasticsearch when configured)."""

    backend: str

    def upsert(self, doc: StoredDocument) -> UpsertOutcome:
        """Insert or update the document with this canonical URL; never duplicates."""
        ...

    def upsert_many(self, docs: Iterable[StoredDocument]) -> list[UpsertOutcome]: ...

    def commit_search(self) -> None:
        """Make this writer's documents searchable now, where the backend lets a writer
        defer that (SQLite opened with ``search_commit_seconds``); closing does it too."""
        ...

    def get(self, doc_id: str) -> StoredDocument:
        """Raises ``DocumentNotFound``."""
        ...

    def search(self, query: SearchQuery) -> SearchResult:
        """Raises ``InvalidQuery`` for query text that does not parse."""
        ...

    def last_fetched(self, url: str) -> datetime | None:
        """When this URL (as requested, or as canonical URL) was last fetched."""
        ...

    def record_fetch(self, url: str, fetched_at: datetime) -> None: ...

    def set_incident(self, doc_id: str, incident_id: str | None, *, joined: bool = False) -> None:
        """Place the document in this incident (or none); it no longer awaits placement.

        ``joined``: the document, not judged relevant, joined the incident as a report of
        its event (``IncidentIndex.join``); it is kept relevant, with ``JOINED_EVENT``
        among its reasons.
        """
        ...

    def iter_documents(
        self,
        since: datetime | None = None,
        *,
        incident_id: str | None = None,
        pending: bool = False,
    ) -> Iterator[StoredDocument]:
        """Stored documents, oldest first: published or fetched at or after ``since``, of
        one incident, or (``pending``) written since their incident was last decided."""
        ...

    def replace_incidents(self, records: Iterable[IncidentRecord]) -> None:
        """Make the stored incident records exactly these."""
        ...

    def put_incidents(
        self, records: Iterable[IncidentRecord], *, delete: Iterable[str] = ()
    ) -> None:
        """Write these incident records (replacing those with the same id), delete others."""
        ...

    def incident_states(
        self,
        keys: Iterable[str],
        *,
        limits: Mapping[str, int] | None = None,
        light: bool = False,
    ) -> list[tuple[dict[str, Any], list[str]]]:
        """Placement states (JSON) of the incidents indexed under any of these keys (at most
        ``limits[key]`` of them, any ones, for a key limited), each with the keys it was
        found under. ``light``: the backend may leave out their largest parts, ``members``
        and ``band_keys`` (``incident_state_members`` reads them); it then names, in
        ``key_members``, the member that brought each band or clue key found and, in
        ``key_signatures``, those members' signatures (what weighing a copy reads)."""
        ...

    def incident_state_members(self, incident_id: str) -> dict[str, Any]:
        """The ``members`` of one stored placement state (a light read left them out), and
        its ``band_keys`` unless the backend keeps them as the state's lookup keys (then
        a state read light writes back only the keys it gained: see ``added``)."""
        ...

    def write_incident_states(
        self,
        states: Mapping[str, tuple[list[str], dict[str, Any]] | None],
        *,
        added: Mapping[str, list[str]] | None = None,
    ) -> None:
        """Write (lookup keys, state) per incident id; None deletes the incident's state.
        ``added`` may name, per id, the only keys it gained since it was read (none lost),
        so a backend keeping keys apart need not compare them all. A state read light
        and written with ``added`` names in ``members`` only the members it gained (the
        backend that left them out keeps the others); any other state names all."""
        ...

    def clear_incident_states(self) -> None: ...

    def get_incident(self, incident_id: str) -> IncidentRecord:
        """Raises ``IncidentNotFound``."""
        ...

    def list_incidents(
        self,
        *,
        levels: tuple[str, ...] = (),
        since: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[IncidentRecord]:
        """Incidents ordered by risk level and score, then by last seen."""
        ...

    def get_handling(self, incident_ids: Iterable[str]) -> dict[str, Handling]:
        """Stored handling states of these incidents (an untouched incident has none)."""
        ...

    def list_handling(
        self, *, statuses: tuple[str, ...] = (), assignee: str | None = None
    ) -> list[Handling]:
        """Stored handling states, by incident id: of these statuses, of this assignee."""
        ...

    def write_handling(
        self, states: Iterable[Handling], history: Iterable[HistoryEntry] = ()
    ) -> None:
        """Write handling states and append history entries (an entry stored already, by
        id, stays as it was: the history is only ever added to)."""
        ...

    def iter_history(self, incident_id: str | None = None) -> Iterator[HistoryEntry]:
        """History entries, oldest first: of one incident, or (None) of all."""
        ...

    def stats(self) -> dict[str, Any]: ...

    def data_version(self) -> int | None:
        """A number that changes when another connection or process has committed to the
        store since this one last asked (SQLite's ``PRAGMA data_version``); ``None`` when
        the backend cannot tell cheaply (then nothing may be cached on it)."""
        ...

    def close(self) -> None: ...
