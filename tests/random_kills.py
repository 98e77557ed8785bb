"""SIGKILL of a scheduled ``hotwatch run`` (crawl, incident placement, digest) at a random
moment drawn from a seeded generator, then a rerun, then ``hotwatch doctor``: what the
store and the SMTP server hold is compared with an undisturbed run of the same site.

Moments: after a random number of stored documents (between fetch and store, inside a
store transaction); once every document is stored, after a random delay (incident
placement, the digest being built); while the SMTP server holds the digest's DATA,
before or after it took the message.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.fault_runs import Outcome, kill_when, outcome, run, start, stored_documents
from tests.fault_runs import write_config as write_crawl_config
from tests.process_tree import wait_until_gone
from tests.smtp_server import HoldingHandler, smtp_server

MOMENTS = ("crawl", "after-crawl", "digest")
EMAIL = """
[email]
host = "127.0.0.1"
port = {port}
from = "舆情监测中心 <yuqing@hotwatch.test>"
timeout = 10

[email.recipients]
default = ["pr@hotwatch.test"]

[email.digest]
hour = 0
"""


@dataclass
class KilledRun:
    """One killed run and what the reruns left, against the undisturbed run."""

    moment: str
    killed: bool  # False: the run ended before the moment came
    after: Outcome
    orphans: int
    digests: list[str]  # Message-ID of each digest the server took
    doctor: subprocess.CompletedProcess[str]
    reruns_ok: bool

    def figures(self, reference: Outcome) -> dict[str, int]:
        distinct = set(self.digests)
        return {
            "lost": self.after.lost(reference),
            "duplicates": self.after.duplicates(),
            "incidents": self.after.incidents_differing(reference),
            "messages_lost": int(not distinct),
            "messages_doubled": max(0, len(distinct) - 1),
            "orphans": self.orphans,
            "doctor": int(self.doctor.returncode != 0 or not self.reruns_ok),
        }


def undisturbed(tmp: Path, url: str) -> Outcome:
    """A ``hotwatch run`` nothing interrupts: the reference."""
    with smtp_server() as (server, _):
        write_crawl_config(tmp, url, extra=EMAIL.format(port=server.port))
        result = run(tmp, "run")
    assert result.returncode == 0, result.stderr
    return outcome(tmp)


def killed_run(
    tmp: Path, url: str, articles: int, rng: random.Random, *, moment: str | None = None
) -> KilledRun:
    moment = moment or rng.choice(MOMENTS)
    tmp.mkdir(parents=True, exist_ok=True)
    handler = HoldingHandler(commit_first=rng.random() < 0.5)
    if moment != "digest":
        handler.release.set()  # the server answers at once
    with smtp_server(handler=handler) as (server, _):
        write_crawl_config(tmp, url, extra=EMAIL.format(port=server.port))
        process = start(tmp, "run")
        try:
            if moment == "crawl":
                at_least = rng.randrange(articles)
                children = kill_when(process, lambda: stored_documents(tmp) >= at_least,
                                     after=rng.random() * 0.5)
            elif moment == "after-crawl":
                children = kill_when(process, lambda: stored_documents(tmp) >= articles,
                                     after=rng.random() * 2)
            else:
                children = kill_when(process, handler.arrived.is_set, after=0)
        finally:
            handler.release.set()
        orphans = len(wait_until_gone(children or set(), 5))
        reruns = [run(tmp, "run"), run(tmp, "run")]  # the second must send nothing again
        doctor = run(tmp, "doctor")
    digests = [str(r.message["Message-ID"]) for r in handler.received
               if "日报" in str(r.message["Subject"])]
    return KilledRun(moment, children is not None, outcome(tmp), orphans, digests, doctor,
                     all(r.returncode == 0 for r in reruns))
