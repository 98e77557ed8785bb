"""Peak memory of a real crawl of the hostile loopback site, with 512 MB compression bombs.

The hostile site (``tests/hostile_server.py``: mis-declared charsets, 50,000 nested
``<div>``s, binaries as text/html, a 2 GB Content-Length, a slow drip, redirect loops,
429 with Retry-After, and gzip/deflate/brotli bombs) is crawled twice through the real
CLI: once with 1 MB bombs (the baseline) and once with ``--bomb-mb`` (default 512) MB
bombs. Each crawl runs in its own child so its peak RSS (crawler and analysis worker)
is measured alone. Target: under 300 MB with the 512 MB bombs.

    python bench/hostile.py [--bomb-mb 512]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 300
CONFIG = """
[crawl]
download_timeout = 5
autothrottle = false
retry_times = 1

[index]
backend = "sqlite"

[[sources]]
name = "hostile"
type = "site"
start_urls = ["{url}/index.html"]
"""


def crawl_peak(bomb_mb: int) -> tuple[float, float, dict]:
    """(peak RSS in MB, seconds, summary) of one crawl against a fresh hostile server."""
    env = {**os.environ, "HOSTILE_BOMB_MB": str(bomb_mb)}
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.hostile_server"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp, "hotwatch.toml")
            config.write_text(CONFIG.format(url=url), encoding="utf-8")
            measured = subprocess.run(
                [sys.executable, __file__, "--measure", str(config), str(Path(tmp, "data"))],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
        peak_mb, seconds, summary = json.loads(measured.stdout)
        return peak_mb, seconds, summary
    finally:
        server.kill()
        server.wait()


def measure(config: str, data_dir: str) -> None:
    """In a child of its own: run the crawl, print [peak RSS MB of its children, s, summary]."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "hotwatch", "--config", config, "--data-dir", data_dir]
        + ["crawl", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(result.stderr)
    (summary,) = json.loads(result.stdout)["sources"]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps([peak_mb, seconds, summary]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=512)
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return
    base_mb, base_s, _ = crawl_peak(1)
    peak_mb, seconds, summary = crawl_peak(args.bomb_mb)
    print(f"{'bombs':>10} {'peak RSS':>10} {'time':>8}")
    print(f"{'1 MB':>10} {base_mb:>7.0f} MB {base_s:>6.1f} s   (baseline)")
    ratio = peak_mb / base_mb
    print(f"{args.bomb_mb:>7} MB {peak_mb:>7.0f} MB {seconds:>6.1f} s   ratio {ratio:.2f}")
    print(f"target: under {TARGET_MB} MB -> {'met' if peak_mb < TARGET_MB else 'MISSED'}")
    print(f"stored {summary['new']}, skipped {summary['skipped']} {summary['skip_reasons']}")


if __name__ == "__main__":
    main()
