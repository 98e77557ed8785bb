"""Page bytes to text, trusting the bytes over what the server and the page declare.

Chinese sites often declare one charset and send another: a GBK article behind
``Content-Type: text/html; charset=utf-8`` and ``<meta charset="utf-8">``, a UTF-8
page re-served with a stale ``<meta charset=gbk>``, Big5 pages declared as anything.
The order here:

1. a byte-order mark wins;
2. bytes that are valid UTF-8 are UTF-8 (real GBK or Big5 text almost never is);
3. otherwise every declared charset and GB18030 and Big5 decode a sample of the page,
   and the decoding that reads most like text (common hanzi, ASCII, CJK punctuation;
   replacement and control characters count against) wins, declarations on ties;
4. a GB18030/Big5 page is decoded run by run, so a UTF-8 fragment pasted into it
   (templates, ads) keeps its text instead of turning into mojibake.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

#: Tried after the declared charsets (GB18030 is a superset of GBK and GB2312).
FALLBACK_ENCODINGS = ("gb18030", "big5hkscs")
CJK_MULTIBYTE = frozenset(FALLBACK_ENCODINGS)
#: Bytes of the page scored per candidate: enough for any page's text to show.
SAMPLE_BYTES = 256 * 1024
#: Non-ASCII runs of a GB/Big5 page at least this long that are valid UTF-8 CJK are UTF-8.
MIN_UTF8_RUN = 6
#: A lead byte takes the byte after it along: GBK and Big5 trail bytes may be ASCII letters
#: and GB18030 four-byte sequences have digits in them; a run must not split a character.
_NON_ASCII_RUN = re.compile(rb"(?:[\x80-\xff][\x30-\x39\x40-\xff]?)+")
_UTF8_CJK_BYTES = re.compile(rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){2}")
_UTF8_CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef0-9A-Za-z]+")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # ASCII less [\t\n\r\x20-\x7e]
_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff5e\u2014-\u201d\u2026]")
_LATIN_LETTERS = re.compile(r"[\u00c0-\u024f]")
_BAD = re.compile(r"[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def decode_html(body: bytes, *, http_encoding: str | None = None) -> str:
    """The text of a page's bytes; ``http_encoding`` is the Content-Type charset, if any."""
    return decode_page(
        body, content_type=f"text/html; charset={http_encoding}" if http_encoding else None
    )


def decode_page(body: bytes, *, content_type: str | None = None) -> str:
    """The text of a page's bytes, given its ``Content-Type`` header value (or None)."""
    bom, mark = read_bom(body)
    if bom and mark:
        return body[len(mark) :].decode(bom, "replace")
    if body.isascii():
        return body.decode("ascii")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = best_encoding(body, declared_encodings(body, content_type))
    if encoding in CJK_MULTIBYTE and _UTF8_CJK_BYTES.search(body):
        return decode_runs(body, encoding)
    return body.decode(encoding, "replace")


def declared_encodings(body: bytes, content_type: str | None) -> list[str]:
    """The charsets the header and the page name, resolved to what browsers use."""
    found = [http_content_type_encoding(content_type) if content_type else None]
    found.append(html_body_declared_encoding(body))
    return [name for name in (_known(e) for e in found) if name]


def best_encoding(body: bytes, declared: list[str]) -> str:
    """The candidate whose decoding of a sample reads most like text; earlier wins ties."""
    sample = body[:SAMPLE_BYTES]
    candidates = list(dict.fromkeys([*declared, *FALLBACK_ENCODINGS]))
    candidates = [name for name in candidates if name not in ("utf-8", "utf-16", "utf-32")]
    best, best_score = candidates[0], float("-inf")
    for name in candidates:
        score = text_score(sample.decode(name, "replace"))
        if score > best_score:
            best, best_score = name, score
    return best


def text_score(text: str) -> float:
    """How much of ``text`` reads as text: common characters count, garbage counts against."""
    # A hanzi is two or more bytes: it outweighs the two Latin letters its bytes make in cp1252.
    good = _ascii_text_chars(text) + len(_LATIN_LETTERS.findall(text))
    good += 3 * (len(_common_hanzi().findall(text)) + len(_CJK_PUNCTUATION.findall(text)))
    return good - 3 * len(_BAD.findall(text))


def decode_runs(body: bytes, encoding: str) -> str:
    """Decode a GB/Big5 page, keeping runs that are clearly UTF-8 CJK as UTF-8."""
    pieces: list[str] = []
    position = 0
    for match in _NON_ASCII_RUN.finditer(body):
        start, end = match.span()
        pieces.append(body[position:start].decode("ascii"))
        pieces.append(_decode_run(match.group(), encoding))
        position = end
    pieces.append(body[position:].decode("ascii"))
    return "".join(pieces)


def _decode_run(run: bytes, encoding: str) -> str:
    if len(run) >= MIN_UTF8_RUN:
        try:
            text = run.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if _UTF8_CJK_RUN.fullmatch(text):
                return text
    return run.decode(encoding, "replace")


def _known(encoding: str | None) -> str | None:
    if not encoding:
        return None
    resolved = resolve_encoding(encoding)
    if not resolved:
        return None
    try:
        return codecs.lookup(resolved).name.replace("_", "-")
    except LookupError:
        return None


@lru_cache(maxsize=1)
def _common_hanzi() -> re.Pattern[str]:
    """GB2312 level 1 (3,755 common simplified) and Big5 常用字 (5,401 common traditional)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            chars.update(bytes((lead, trail)).decode("gb2312", "ignore"))
    for lead in range(0xA4, 0xC7):
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            chars.update(bytes((lead, trail)).decode("big5", "ignore"))
    return re.compile("[" + "".join(sorted(chars)) + "]")


def _ascii_text_chars(text: str) -> int:
    """How many characters of ``text`` are printable ASCII, tab or a line break, counted
    without making a list of one-character matches."""
    return len(text.encode("ascii", "ignore")) - len(_ASCII_CONTROL.findall(text))


def garbled_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are replacement or control characters."""
    non_ascii = len(text) - _ascii_text_chars(text)
    return len(_BAD.findall(text)) / non_ascii if non_ascii > 0 else 0.0
