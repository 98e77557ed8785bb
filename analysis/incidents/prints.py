"""A document's incident fingerprint as stored beside it, so placing it reads, not recomputes.

The analysis worker fingerprints each relevant page while it has the text
(``fingerprint_json``) and the store keeps the JSON form with the document. Placing
the document takes it back (``stored_fingerprint``) only when it was made from the
document's present title and text: the form carries a CRC of them, so a document
rewritten by any path that did not renew it is fingerprinted afresh, never wrongly.
"""

from __future__ import annotations

import sys
import zlib
from typing import Any

import numpy as np

from analysis.incidents.features import Fingerprint, text_fingerprint


def fingerprint_json(title: str, text: str) -> dict[str, Any]:
    """The fingerprint of a text in its stored (JSON) form."""
    prints = text_fingerprint(title, text)
    return {
        "of": _digest(title, text),
        "minhash": prints.signature.tolist(),
        # Bigrams are runs of Han characters and digits: a space never occurs in one.
        "bigrams": " ".join(sorted(prints.bigrams)),
        "clues": sorted(prints.clues),
    }


def stored_fingerprint(stored: dict[str, Any] | None, title: str, text: str) -> Fingerprint | None:
    """The stored fingerprint, if it was made from this title and text."""
    if not stored or stored.get("of") != _digest(title, text):
        return None
    bigrams = stored["bigrams"]
    return Fingerprint(
        np.array(stored["minhash"], dtype=np.uint64),
        # Interned as salient_bigrams interns them: an incident index holds many.
        frozenset(map(sys.intern, bigrams.split(" "))) if bigrams else frozenset(),
        frozenset(stored["clues"]),
    )


def _digest(title: str, text: str) -> int:
    return zlib.crc32(f"{title}\n{text}".encode())
