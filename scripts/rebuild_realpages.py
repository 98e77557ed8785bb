"""Rebuild the local text cache of the real-page evaluation set.

The labels (URL, query, judgement) ship with hotwatch; the page texts are third-party
and stay outside the repository, in $HOTWATCH_PAGES_CACHE (default
~/.cache/hotwatch/realpages/<id>.txt). They are excerpts of stored public web pages
(the page's beginning, up to about 2,000 bytes) as a page-search service returns them
for each label's `query`.

Usage:
  python scripts/rebuild_realpages.py --missing            # ids and queries still missing
  python scripts/rebuild_realpages.py --import DIR         # write excerpts from saved answers

To rebuild: run each listed query against the page corpus, save each answer as JSON
({"results": [{"url": ..., "excerpt": ...}, ...]}) in DIR, then --import DIR. Every
result whose URL equals a labelled page's URL (ignoring http/https, percent-encoding and
a trailing slash) is written as that page's text, cut at 1,500 characters as labelled.
Pages of ../shared/data/relevance-dev/reserved-urls.txt are never written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

from analysis.evaluation.realpages import cache_dir, load_labels, shared_labels_path

EXCERPT_CHARS = 1500


def normalised(url: str) -> str:
    url = re.sub(r"^https?://", "", unquote(url.strip()), flags=re.I)
    return url.rstrip("/").lower()


def reserved_urls() -> set[str]:
    path = shared_labels_path().with_name("reserved-urls.txt")
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {normalised(line) for line in lines if line.strip() and not line.startswith("#")}


def missing(cache: Path) -> list[dict]:
    return [r for r in load_labels() if not (cache / f"{r['id']}.txt").exists()]


def import_answers(directory: Path, cache: Path) -> int:
    wanted = {normalised(r["url"]): r["id"] for r in load_labels()}
    blocked = reserved_urls()
    written = 0
    for answer in sorted(directory.glob("*.json")):
        for result in json.loads(answer.read_text(encoding="utf-8")).get("results", []):
            key = normalised(result.get("url") or "")
            if key in wanted and key not in blocked and result.get("excerpt"):
                target = cache / f"{wanted[key]}.txt"
                target.write_text(result["excerpt"][:EXCERPT_CHARS], encoding="utf-8")
                written += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list labelled pages without text")
    parser.add_argument("--import", dest="directory", help="folder of saved JSON answers")
    args = parser.parse_args()
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    if args.directory:
        print(f"wrote {import_answers(Path(args.directory), cache)} page text(s) to {cache}")
    lacking = missing(cache)
    if args.missing or not args.directory:
        for record in lacking:
            print(f"{record['id']}\t{record.get('query', '')}\t{record['url']}")
    print(f"{len(lacking)} labelled page(s) without text in {cache}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
