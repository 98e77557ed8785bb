"""Errors the index raises; the CLI and web layer turn them into one-line messages."""


class StoreError(Exception):
    """Base class for store errors."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached (bad path, full disk, server down)."""


class DocumentNotFound(StoreError):
    """No stored document has the requested id."""


class InvalidQuery(StoreError):
    """A search query or filter value that cannot be used."""


class IncidentNotFound(StoreError):
    """No incident has the requested id."""
