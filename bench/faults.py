"""The fault table: each fault injected into real runs, then recovery compared with an
undisturbed run of the same input. All zeros (and every run recovered) is the target.

Faults: SIGKILL of a crawl after a random number of stored documents; a full disk (a
random file-size limit on the crawl, RLIMIT_FSIZE); the SMTP server down when the
digest is due, then back; ``--kills`` SIGKILLs of a whole ``hotwatch run`` (crawl,
placement, digest) at seeded random moments (tests/random_kills.py), each followed by
two reruns and ``hotwatch doctor``. Each run starts from an empty data directory;
"recovered" means the reruns (for SMTP: the next scheduled runs) ended with nothing
lost, nothing doubled, the same incidents, the digest once, no process of ours left
behind and doctor clean.

    python bench/faults.py [--runs 5] [--kills 20] [--articles 160] [--seed 23]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from hotwatch.cli import cli  # noqa: E402
from hotwatch.demo.server import serve  # noqa: E402
from hotwatch.demo.synthetic import synthetic_site  # noqa: E402
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
from tests.fault_table import Row, table  # noqa: E402
from tests.process_tree import wait_until_gone  # noqa: E402
from tests.random_kills import killed_run, undisturbed  # noqa: E402
from tests.report_fixtures import build_store  # noqa: E402
from tests.report_fixtures import write_config as write_email_config  # noqa: E402
from tests.smtp_server import refusing_port, smtp_server  # noqa: E402


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
            if children is None:  # the crawl ended before the moment: nothing to recover
                continue
            orphans = len(wait_until_gone(children, 5))
            run(tmp, "crawl")
            after = outcome(tmp)
            row.add(lost=after.lost(reference), duplicates=after.duplicates(),
                    incidents=after.incidents_differing(reference), orphans=orphans)
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
            after = outcome(tmp)
            row.add(lost=after.lost(reference), duplicates=after.duplicates(),
                    incidents=after.incidents_differing(reference))
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
            row.add(messages_lost=int(sent == 0), messages_doubled=max(0, sent - 1))
    return row


def random_kills(url: str, kills: int, articles: int, rng: random.Random) -> Row:
    """``hotwatch run`` SIGKILLed at random moments; the reference is an undisturbed run."""
    row = Row("run SIGKILLed at a random moment")
    with tempfile.TemporaryDirectory() as directory:
        reference = undisturbed(Path(directory), url)
    moments: dict[str, int] = {}
    missed = 0
    while row.runs < kills and missed < kills:
        with tempfile.TemporaryDirectory() as directory:
            killed = killed_run(Path(directory), url, articles, rng)
        if not killed.killed:  # the run ended before the moment drawn: draw again
            missed += 1
            continue
        moments[killed.moment] = moments.get(killed.moment, 0) + 1
        row.add(**killed.figures(reference))
    drawn = ", ".join(f"{k} {n}" for k, n in sorted(moments.items()))
    print(f"random kill moments: {drawn} ({missed} drawn after the run's end)", flush=True)
    return row


def _scheduled_run(config: Path, data_dir: Path) -> None:
    CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data_dir), "run",
                             "--no-crawl"], env={"HOTWATCH_CONFIG": ""})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per fault (default 5)")
    parser.add_argument("--kills", type=int, default=20,
                        help="hotwatch run SIGKILLed at random moments (default 20)")
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
            random_kills(site.url, args.kills, args.articles, rng),
        ]
    rows.append(smtp_outages(args.runs))
    print(table(rows))


if __name__ == "__main__":
    main()
