"""One URL per article: tracking parameters, mobile hosts and ``index.html`` removed.

Outlets link the same article as ``/a1.html?from=list2``, ``?utm_source=...``,
``?spm=...``, from ``m.163.com`` and ``www.163.com``, or as ``/dir/index.html`` and
``/dir/``. ``article_url`` maps every such variant to one URL (the document's id comes
from it); the variants are kept on the document's ``urls``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that say where a reader came from, never which page it is.
TRACKING_PARAMETERS = frozenset(
    "from spm scm ref refer referer referrer share_from share_token sharer share_medium "
    "share_plat sharetype isappinstalled wfr tt_from fbclid gclid _from fromid".split()
)
TRACKING_PREFIXES = ("utm_", "wx_", "share_")
#: Host prefixes of an outlet's mobile site; ``m.163.com`` is ``www.163.com``.
MOBILE_HOST = re.compile(r"^(?:m|wap|3g|mobile|touch|h5)\.(?=[^.]+\.[^.]+)")
INDEX_PAGE = re.compile(r"/(?:index|default)\.s?html?$", re.IGNORECASE)


def article_url(url: str) -> str:
    """The one URL of the article behind ``url`` (scheme and path kept as they are)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if MOBILE_HOST.match(host):
        host = MOBILE_HOST.sub("www.", host)
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    path = INDEX_PAGE.sub("/", parts.path) or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    )
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)
