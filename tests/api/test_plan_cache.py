"""The API's record plans are read from the serializers once per process
(records/api/viewsets.plan), and what a plan depends on is in its key: the resource, the
action, the audience and the host its absolute URLs are made for."""

import pytest

from records.api import plan as plan_module
from records.api.viewsets import PLANS, QUERYSETS
from records.compiled import PlanCache
from summits.models import Meeting

from .conftest import EXAMPLES, get_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans_built(monkeypatch):
    built = []
    original = plan_module.RecordPlan.for_queryset.__func__

    def counting(cls, serializer, queryset, **options):
        built.append(type(serializer).__name__)
        return original(cls, serializer, queryset, **options)

    monkeypatch.setattr(plan_module.RecordPlan, "for_queryset", classmethod(counting))
    return built


def test_a_resources_plan_is_built_once_for_its_lists_and_once_for_its_details(
    seeded, client, plans_built
):
    for page in (
        "/api/v1/meetings/",
        "/api/v1/meetings/?kind=visit",
        "/api/v1/meetings/?page_size=2&page=2",
    ):
        get_json(client, page)
    # The nested plans (participants, documents…) are built with the list's, once.
    assert plans_built.count("MeetingSerializer") == 1
    assert len(plans_built) > 1
    for slug in (EXAMPLES["meetings"], "az-kz-supreme-interstate-council-1"):
        get_json(client, f"/api/v1/meetings/{slug}/")
    assert plans_built.count("MeetingSerializer") == 2
    assert len(PLANS.plans) == 2


def test_each_host_gets_urls_of_its_own(seeded, client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    url = f"/api/v1/meetings/{EXAMPLES['meetings']}/"
    first = get_json(client, url)
    other = get_json(client, url, HTTP_HOST="mirror.example.org")
    again = get_json(client, url)
    assert first["url"].startswith("http://testserver/")
    assert other["url"].startswith("http://mirror.example.org/")
    assert other["public_url"].startswith("http://mirror.example.org/meetings/")
    assert again == first


def test_staff_and_anonymous_clients_never_share_a_plan(seeded, client, admin_client):
    url = "/api/v1/meetings/?page_size=100"
    get_json(admin_client, url)
    get_json(client, url)
    staff_keys = {key for key in PLANS.plans if key[3] is True}
    public_keys = {key for key in PLANS.plans if key[3] is False}
    assert staff_keys and public_keys


def test_a_source_detail_computes_its_excerpts_for_each_request(seeded, client):
    """Computed fields (a source's text and excerpts) are bound per request: a shared plan
    must not hand one request's values to the next."""
    listed = get_json(client, "/api/v1/sources/?page_size=100")["results"]
    slugs = [source["slug"] for source in listed]
    assert len(slugs) >= 2
    alone = {}
    for slug in slugs:
        PLANS.clear()
        alone[slug] = get_json(client, f"/api/v1/sources/{slug}/")["excerpts"]
    assert len({repr(excerpts) for excerpts in alone.values()}) == len(slugs)
    PLANS.clear()
    for slug in slugs:
        shared = get_json(client, f"/api/v1/sources/{slug}/?plan=shared")["excerpts"]
        assert shared == alone[slug]
    assert len(PLANS.plans) == 1


def test_the_plan_cache_keeps_at_most_its_size_dropping_the_oldest():
    plans = PlanCache(2)
    for key in ("a", "b", "c"):
        plans.put((key,), key)
    assert list(plans.plans) == [("b",), ("c",)]
    assert plans.get(("a",)) is None
    assert plans.get(("c",)) == "c"
    plans.clear()
    assert plans.plans == {}


def test_base_querysets_are_made_once_per_action_and_audience_and_never_evaluated(
    seeded, client, admin_client
):
    draft = Meeting.objects.create(slug="a-draft-for-the-shared-queryset", title="A draft")
    for _ in range(2):
        public = get_json(client, "/api/v1/meetings/?page_size=100")
        get_json(client, f"/api/v1/meetings/{EXAMPLES['meetings']}/")
    staff = get_json(admin_client, "/api/v1/meetings/?page_size=100")
    # list and retrieve for the public, list for staff: three, each made once.
    assert sorted((key[1], key[2]) for key in QUERYSETS.plans) == [
        ("list", False),
        ("list", True),
        ("retrieve", False),
    ]
    assert all(shared._result_cache is None for shared in QUERYSETS.plans.values())
    assert draft.slug not in {record["slug"] for record in public["results"]}
    assert draft.slug in {record["slug"] for record in staff["results"]}
    get_json(client, f"/api/v1/meetings/{draft.slug}/", status=404)
