"""What every page owes its readers: fixed query counts, a 404 page, escaping, structure,
no inline script or style (the CSP will forbid them), and hashed static names."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from records.models import EditorialStatus
from summits.models import Meeting

from .conftest import AZERTAC, COUNCIL_2, KURMANGAZY, count_queries, outline

pytestmark = pytest.mark.django_db

# Each page with the most queries it may make, however large the database grows. A list's
# filter form lists names to pick (a person, a body, a source...): one query per picker
# while the data version is new (records/listing.picker_choices), then none.
PAGES = {
    "/": 20,
    "/about/": 10,
    # With a snippet's quotes per kind found, and the names "did you mean" compares (once
    # per data version on SQLite, one trigram query on PostgreSQL).
    "/search/?q=Kurmangazy": 18,
    "/meetings/": 13,
    "/meetings/?country=AZ&year=2024&kind=body_session&ordering=title": 16,
    f"/meetings/{COUNCIL_2}/": 12,
    "/documents/": 17,
    "/documents/?status=signed&country=KZ": 21,
    "/documents/az-kz-treaty-strategic-partnership-allied-relations/": 12,
    "/packages/": 8,
    "/packages/az-kg-package-2022-04-20/": 6,
    "/projects/": 17,
    f"/projects/{KURMANGAZY}/": 13,
    "/bodies/": 8,
    "/bodies/az-kz-supreme-interstate-council/": 7,
    "/persons/": 6,
    "/persons/kassym-jomart-tokayev/": 7,
    "/organizations/": 7,
    "/organizations/mtz/": 5,
    "/countries/": 3,
    "/countries/kz/": 17,
    "/relations/az-kz/": 16,
    # The page's quote counts are one query of their own (pages/sources.py).
    "/sources/": 7,
    f"/sources/{AZERTAC}/": 20,
}


@pytest.mark.parametrize(("url", "bound"), PAGES.items())
def test_every_page_answers_within_its_query_bound(
    client, seeded, url, bound, django_assert_max_num_queries
):
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_one_h1_landmarks_and_no_inline_script_or_style(client, seeded, url):
    response = client.get(url)
    html = response.content.decode()
    assert outline(response).h1 == 1
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert '<nav class="wrap site-nav" aria-label="Main">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    # Scripts only as files of Pacta's own static folder, never inline.
    scripts = re.findall(r"<script\b[^>]*>.*?</script>", html, flags=re.S)
    own = re.compile(r'<script src="/static/[^"]+\.js" defer></script>')
    assert all(own.fullmatch(script) for script in scripts)
    assert html.count("<script") == len(scripts) and "<style" not in html
    assert not re.search(r"\sstyle=", html) and not re.search(r"\son[a-z]+=", html)
    assert not re.search(
        r'(src|href)="(https?:)?//(?!testserver)', html.replace('rel="noopener noreferrer"', "")
    ) or url.startswith("/sources/")
    ids = outline(response).ids
    assert len(ids) == len(set(ids)), "duplicate id attributes"


def test_every_form_control_has_a_label(client, seeded):
    for url in ("/meetings/?country=AZ", "/documents/", "/projects/", "/search/?q=x", "/"):
        html = client.get(url).content.decode()
        for control in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
            attrs = control.group(2)
            if 'type="hidden"' in attrs or 'type="submit"' in attrs:
                continue
            control_id = re.search(r'id="([^"]+)"', attrs).group(1)
            assert f'for="{control_id}"' in html, f"{url}: #{control_id} has no label"


@pytest.mark.parametrize("url", ["/meetings/", "/documents/", "/projects/", "/countries/kz/"])
def test_pages_cost_the_same_on_an_empty_database(client, empty_db, url):
    assert count_queries(client, url) <= PAGES[url]


def test_unknown_addresses_answer_the_404_page(client, seeded):
    for url in ("/meetings/nope/", "/no/such/page/", "/sources/nope/", "/relations/zz-qq/"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "<h1>Page not found</h1>" in html and 'href="/search/"' in html


def test_a_hostile_title_renders_as_text(client, seeded):
    meeting = Meeting.objects.create(
        slug="hostile-title",
        title="<script>alert(1)</script>",
        summary='"><img src=x onerror=alert(2)>',
        kind="talks",
        status=EditorialStatus.PUBLISHED,
    )
    for url in (meeting.get_absolute_url(), reverse("meeting-list"), "/search/?q=alert"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<img src=x" not in html


def test_nothing_on_the_public_pages_changes_data(client, seeded):
    for url in (f"/meetings/{COUNCIL_2}/", "/meetings/", "/search/?q=x", "/"):
        assert client.post(url).status_code == 405


def test_static_files_get_hashed_names_with_the_manifest(tmp_path, settings, seeded):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    html = Client().get("/about/").content.decode()
    css = re.search(r'href="(/static/css/pacta\.[0-9a-f]{12}\.css)"', html)
    assert css is not None, "the page does not reference a hashed stylesheet"
    assert (tmp_path / css.group(1).removeprefix("/static/")).exists()
