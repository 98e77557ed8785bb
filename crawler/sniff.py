"""Recognise what is not a web page from its first bytes, whatever its Content-Type says.

Servers label PDFs, images, archives and downloads ``text/html`` often enough that
the header cannot be trusted; file signatures and control characters can.
"""

from __future__ import annotations

import re

#: (leading bytes, offset, what it is); longest and most specific first.
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "PDF document"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"RIFF", 0, "RIFF media (WebP/WAV/AVI)"),
    (b"ftyp", 4, "MP4/QuickTime media"),
    (b"ID3", 0, "MP3 audio"),
    (b"OggS", 0, "Ogg media"),
    (b"\x1aE\xdf\xa3", 0, "Matroska/WebM media"),
    (b"PK\x03\x04", 0, "ZIP archive (or Office document)"),
    (b"PK\x05\x06", 0, "ZIP archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"BZh", 0, "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"(\xb5/\xfd", 0, "zstd archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "Office document (OLE)"),
    (b"{\\rtf", 0, "RTF document"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"MZ", 0, None),  # Windows executables: confirmed by the PE header below
    (b"\xca\xfe\xba\xbe", 0, "Mach-O/Java class file"),
    (b"wOFF", 0, "web font"),
    (b"wOF2", 0, "web font"),
    (b"\x00\x00\x01\x00", 0, "icon"),
)
#: Bytes that never occur in text (whitespace, ESC and form feed aside).
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
SNIFF_BYTES = 4096
#: A page with more control bytes than this share of its first bytes is binary.
MAX_CONTROL_SHARE = 0.05


def binary_kind(body: bytes) -> str | None:
    """What ``body`` is when it is not text ("PDF document", "binary data" ...), else None."""
    head = body[:SNIFF_BYTES].lstrip(b"\t\n\r ")
    for magic, offset, kind in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if kind is not None:
                return kind
            if magic == b"MZ" and b"This program cannot be run in DOS mode" in head[:512]:
                return "Windows executable"
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        return None  # UTF-16 text: its NUL bytes are half of every ASCII character
    if head and len(_CONTROL.findall(head)) > MAX_CONTROL_SHARE * len(head):
        return "binary data"
    return None
