import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import verify_otp

COUNCIL_1 = "az-kz-supreme-interstate-council-1"
COUNCIL_2 = "az-kz-supreme-interstate-council-2"
KURMANGAZY = "kurmangazy-childrens-creativity-center-fuzuli"
AZERTAC = "azertac-2025-10-21-supreme-interstate-council"


class Outline(HTMLParser):
    """Headings, ids and links of a page, to check structure without a browser."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def outline(response) -> Outline:
    parsed = Outline()
    parsed.feed(response.content.decode())
    return parsed


def text_of(response) -> str:
    """The page's visible words, tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", password="a long enough password", is_staff=True
    )
    verify_otp(client, user)
    return client


def counted_calls(monkeypatch, cls, name: str) -> list[str]:
    """The request paths for which `cls.name` ran (rather than its result coming from a
    cache), one entry a call."""
    calls = []
    real = getattr(cls, name)

    def counted(self, *args, **kwargs):
        calls.append(self.request.get_full_path())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, counted)
    return calls
