"""A writer killed with SIGKILL mid-ingest leaves a readable store holding every committed batch."""

import os
import signal
import subprocess
import sys
import textwrap

from index import SearchQuery, open_store

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from index import StoredDocument, open_store

    store = open_store({"backend": "sqlite"}, sys.argv[1])
    for batch in range(10_000):
        docs = [
            StoredDocument(
                url=f"http://example.test/{batch}/{i}",
                title=f"第{batch}批 12345热线接线员骂人",
                text="市民反映12345热线接线员态度恶劣。" * 20,
                fetched_at=datetime.now(UTC),
                relevant=True,
            )
            for i in range(20)
        ]
        store.upsert_many(docs)
        print(batch, flush=True)
    """
)


def test_kill_9_keeps_every_committed_batch(tmp_path):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    committed = -1
    for line in writer.stdout:
        committed = int(line)
        if committed >= 30:
            break
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()

    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        total = store.stats()["documents"]
        assert total >= (committed + 1) * 20
        assert total % 20 == 0  # a batch is all or nothing
        assert store.search(SearchQuery(text="骂人", limit=1)).total == total
    finally:
        store.close()
