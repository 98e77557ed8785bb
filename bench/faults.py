"""The fault table: each fault injected into real runs, then recovery compared with an
undisturbed run of the same input. All zeros (and every run recovered) is the target.

Faults: SIGKILL of a crawl after a random number of stored documents; a full disk (a
random file-size limit on the crawl, RLIMIT_FSIZE); the SMTP server down when the
digest is due, then back. Each run starts from an empty data directory; "recovered"
means a rerun (for SMTP: the next scheduled runs) ended with nothing lost, nothing
doubled, the same incidents, and no process of ours left behind.

    python bench/faults.py [--runs 5] [--articles 160] [--seed 23]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from hotwatch.cli import cli  # noqa: E402
from hotwatch.demo.server import serve  # noqa: E402
from hotwatch.demo.site import synthetic_site  # noqa: E402
from tests.fault_runs import (  # noqa: E402
    Outcome,
    command,
    kill_when,
    outcome,
    run,
    start,
    stored_documents,
    write_config,
)
from tests.process_tree import wait_until_gone  # noqa: E402
from tests.report_fixtures import build_store  # noqa: E402
from tests.report_fixtures import write_config as write_email_config  # noqa: E402
from tests.smtp_server import refusing_port, smtp_server  # noqa: E402

COLUMNS = ("fault", "runs", "recovered", "lost", "duplicates", "incidents differing",
           "messages lost", "messages doubled", "orphans")


@dataclass
class Row:
    fault: str
    runs: int = 0
    recovered: int = 0
    lost: int = 0
    duplicates: int = 0
    incidents: int = 0
    messages_lost: int = 0
    messages_doubled: int = 0
    orphans: int = 0

    def add(self, after: Outcome, reference: Outcome, orphans: int = 0) -> None:
        lost, doubled = after.lost(reference), after.duplicates()
        differing = after.incidents_differing(reference)
        self.runs += 1
        self.lost += lost
        self.duplicates += doubled
        self.incidents += differing
        self.orphans += orphans
        self.recovered += not (lost or doubled or differing or orphans)

    def cells(self) -> list[str]:
        return [str(v) for v in (self.fault, self.runs, self.recovered, self.lost,
                                 self.duplicates, self.incidents, self.messages_lost,
                                 self.messages_doubled, self.orphans)]


def killed_crawls(url: str, reference: Outcome, runs: int, articles: int, rng: random.Random
                  ) -> Row:
    row = Row("crawl SIGKILLed")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as directory:
            tmp = Path(directory)
            write_config(tmp, url)
            moment = rng.randrange(0, articles)
            crawl = start(tmp, "crawl")
            children = kill_when(crawl, lambda t=tmp, m=moment: stored_documents(t) >= m,
                                 after=rng.random())
            orphans = len(wait_until_gone(children, 5))
            run(tmp, "crawl")
            row.add(outcome(tmp), reference, orphans)
    return row


def full_disks(url: str, reference: Outcome, runs: int, rng: random.Random) -> Row:
    row = Row("disk full (RLIMIT_FSIZE)")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as directory:
            tmp = Path(directory)
            write_config(tmp, url)
            limit = rng.randrange(300_000, 1_500_000)
            subprocess.run(command(tmp, "crawl"), capture_output=True, cwd=ROOT,
                           preexec_fn=_file_size_limit(limit), timeout=300)
            run(tmp, "crawl")
            row.add(outcome(tmp), reference)
    return row


def _file_size_limit(limit: int) -> Callable[[], None]:
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def smtp_outages(runs: int) -> Row:
    row = Row("SMTP down at digest time")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as directory:
            tmp = Path(directory)
            data_dir = tmp / "data"
            build_store(data_dir)
            with refusing_port() as port:
                config = write_email_config(tmp / "hotwatch.toml", port=port)
                with config.open("a", encoding="utf-8") as toml:
                    toml.write("\n[email.digest]\nhour = 0\n")
                _scheduled_run(config, data_dir)
            with smtp_server(port=port) as (_, handler):
                _scheduled_run(config, data_dir)
                _scheduled_run(config, data_dir)
            sent = sum("日报" in str(r.message["Subject"]) for r in handler.received)
            row.runs += 1
            row.messages_lost += sent == 0
            row.messages_doubled += max(0, sent - 1)
            row.recovered += sent == 1
    return row


def _scheduled_run(config: Path, data_dir: Path) -> None:
    CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data_dir), "run",
                             "--no-crawl"], env={"HOTWATCH_CONFIG": ""})


def table(rows: list[Row]) -> str:
    cells = [list(COLUMNS)] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per fault (default 5)")
    parser.add_argument("--articles", type=int, default=160, help="articles on the site")
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with serve(synthetic_site(args.articles, seed=args.seed)) as site:
        with tempfile.TemporaryDirectory() as directory:
            tmp = Path(directory)
            write_config(tmp, site.url)
            run(tmp, "crawl")
            reference = outcome(tmp)
        print(f"undisturbed crawl: {len(reference.urls)} documents, "
              f"{len(reference.incidents)} incidents", flush=True)
        rows = [
            killed_crawls(site.url, reference, args.runs, args.articles, rng),
            full_disks(site.url, reference, args.runs, rng),
        ]
    rows.append(smtp_outages(args.runs))
    print(table(rows))


if __name__ == "__main__":
    main()
