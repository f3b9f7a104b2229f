"""What a crowd of researchers does to Pacta: browse filtered lists, open records, search and
download a filtered CSV, in the API and on the pages. Run by loadtest/run.sh (`make loadtest`).

Each user waits LOADTEST_WAIT seconds between requests ("1,3" by default: a busy reader; "5,15"
reads each page), and the slugs come from the API once, at the start, so details hit real
records of the generated database.
"""

from __future__ import annotations

import json
import os
import random
import urllib.request

from locust import FastHttpUser, between, events, task

COUNTRIES = ["AZ", "KZ", "UZ", "KG", "TR", "RU", "CN", "TM", "TJ", "BY"]
YEARS = list(range(2015, 2026))
WORDS = ["council", "treaty", "plant", "cooperation", "summit", "energy", "Tokayev", "Aliyev"]
SLUGS: dict[str, list[str]] = {}
WAIT = [float(bound) for bound in os.environ.get("LOADTEST_WAIT", "1,3").split(",")]


def fetch_slugs(host: str, resource: str, pages: int = 3) -> list[str]:
    found, url = [], f"{host}/api/v1/{resource}/?format=json&page_size=100"
    for _ in range(pages):
        with urllib.request.urlopen(url, timeout=30) as response:
            page = json.load(response)
        found += [record["slug"] for record in page["results"]]
        if not page["next"]:
            break
        url = page["next"]
    return found


@events.test_start.add_listener
def load_slugs(environment, **kwargs):
    for resource in ("meetings", "documents", "projects"):
        SLUGS[resource] = fetch_slugs(environment.host, resource)
        if not SLUGS[resource]:
            raise SystemExit(f"No {resource} to load-test: is the database seeded?")


class Researcher(FastHttpUser):
    wait_time = between(*WAIT)

    def pair(self) -> str:
        return ",".join(random.sample(COUNTRIES[:4], 2))

    @task(3)
    def api_list_with_filters(self):
        params = f"country={random.choice(COUNTRIES)}&year={random.choice(YEARS)}&ordering=-date"
        self.client.get(f"/api/v1/meetings/?{params}", name="api list: meetings?country&year")

    @task(2)
    def page_list_with_filters(self):
        params = f"countries={self.pair()}&kind=treaty"
        self.client.get(f"/documents/?{params}", name="page list: documents?countries&kind")

    @task(1)
    def page_list_deep(self):
        page = random.randint(2, 40)
        self.client.get(f"/meetings/?page={page}", name="page list: meetings?page")

    @task(3)
    def api_detail(self):
        resource = random.choice(["meetings", "documents", "projects"])
        slug = random.choice(SLUGS[resource])
        self.client.get(f"/api/v1/{resource}/{slug}/", name=f"api detail: {resource}")

    @task(2)
    def page_detail(self):
        slug = random.choice(SLUGS["meetings"])
        self.client.get(f"/meetings/{slug}/", name="page detail: meeting")

    @task(2)
    def search_page(self):
        self.client.get(f"/search/?q={random.choice(WORDS)}", name="page search")

    @task(1)
    def api_search(self):
        self.client.get(
            f"/api/v1/documents/?q={random.choice(WORDS)}", name="api search: documents"
        )

    @task(1)
    def csv_export(self):
        params = f"countries={self.pair()}&year={random.choice(YEARS)}"
        self.client.get(f"/api/v1/meetings/export.csv?{params}", name="export: meetings.csv")
