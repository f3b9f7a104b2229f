"""Keep a local copy of Pacta's public data in step with a Pacta server.

Python's standard library only. Run it again whenever you like; each run picks up where the
last one stopped:

    python sync_client.py https://pacta.example/api/v1/ pacta-copy.json

How it works (the "Syncing with Pacta" guide in the README says why):
1. The first run downloads `dataset.json`: every record, and `changes_cursor`, the change
   feed's cursor when the file was started. It saves both.
2. Every run then reads the changes since the saved cursor (`changes/?since=<cursor>`, page
   after page): `updated` -> fetch the record again, `removed` -> delete it; and saves the
   cursor of the last answer.
3. A 410 Gone means the cursor is older than the changes the server keeps: start over.
A 429 is waited out (its Retry-After header says how long).
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


class Gone(Exception):
    """The server no longer has the changes since our cursor."""


class PactaClient:
    def __init__(self, base: str, *, user_agent: str = "pacta-sync-example/1"):
        self.base = base if base.endswith("/") else base + "/"
        self.user_agent = user_agent

    def get(self, url: str) -> dict | None:
        """The JSON at `url`, None for a 404; waits out 429s."""
        for _attempt in range(20):
            request = urllib.request.Request(
                url, headers={"Accept": "application/json", "User-Agent": self.user_agent}
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.load(response)
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                if error.code == 410:
                    raise Gone(json.load(error).get("detail", "")) from error
                if error.code == 429:
                    time.sleep(float(error.headers.get("Retry-After") or 1))
                    continue
                raise
        raise RuntimeError(f"{url}: still throttled after 20 attempts")

    def download(self) -> tuple[dict[str, dict[str, dict]], str]:
        """Every record of every resource from `dataset.json` (the same JSON as each record's
        own URL), and the change feed's cursor the file was started at: changes made while it
        was built come again from the feed."""
        dataset = self.get(self.base + "dataset.json")
        cursor = dataset.pop("changes_cursor")
        copy = {
            name: {record["slug"]: record for record in records}
            for name, records in dataset.items()
            if isinstance(records, list)
        }
        return copy, cursor

    def changes(self, cursor: str):
        """(change, cursor to resume from) for every change since `cursor`."""
        page = with_query(self.base + "changes/", since=cursor, limit="500")
        while page:
            body = self.get(page)
            for change in body["results"]:
                yield change, change["cursor"]
            page = body["next"]

    def sync(self, copy: dict[str, dict[str, dict]], cursor: str) -> str:
        """Apply every change since `cursor` to `copy`; the cursor to resume from."""
        for change, position in self.changes(cursor):
            records = copy.setdefault(change["kind"], {})
            record = self.get(change["url"]) if change["change"] == "updated" else None
            if record is None:  # removed, or removed again since it was updated
                records.pop(change["slug"], None)
            else:
                records[record["slug"]] = record
            cursor = position
        return cursor


def with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update(params)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def run(base: str, path: Path) -> dict:
    """One sync of the copy saved at `path` (created on the first run)."""
    client = PactaClient(base)
    state = json.loads(path.read_text()) if path.exists() else None
    try:
        if state is None:
            raise Gone("no copy yet")
        state["cursor"] = client.sync(state["records"], state["cursor"])
    except Gone:
        records, cursor = client.download()
        state = {"records": records, "cursor": client.sync(records, cursor)}
    path.write_text(json.dumps(state, ensure_ascii=False))
    return state


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: sync_client.py <API base URL> <copy.json>")
    saved = run(sys.argv[1], Path(sys.argv[2]))
    counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(saved["records"].items()))
    print(f"In step at cursor {saved['cursor']}: {counts}")
