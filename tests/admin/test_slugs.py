"""Slugs in the admin: made from the title on add, changed by Editors only, old URLs kept."""

from records.slugs import former_owner
from summits.models import Body, Person
from tests.admin.conftest import change_url, changelist_url, form_data


def _add(client, model, **values):
    url = changelist_url(model) + "add/"
    data = {k: v for k, v in form_data(client.get(url)).items() if v not in ("", [])}
    return client.post(url, data | values)


def test_a_new_records_slug_is_made_from_its_name_transliterated(seeded, analyst_client):
    name = "Uzbekistan–Azerbaijan Supreme Interstate Council"
    response = _add(analyst_client, Body, name=name, slug="")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Body.objects.get(name=name).slug == "uzbekistan-azerbaijan-supreme-interstate-council"

    _add(analyst_client, Person, name="Шавкат Мирзиёев", slug="")
    assert Person.objects.filter(slug="shavkat-mirzieev").exists()
    # A second record of the same name gets a slug of its own.
    _add(analyst_client, Person, name="Шавкат Мирзиёев", slug="")
    assert Person.objects.filter(slug="shavkat-mirzieev-2").exists()


def test_an_analyst_sees_the_slug_but_cannot_change_it(seeded, analyst_client):
    person = Person.objects.get(slug="ilham-aliyev")
    page = analyst_client.get(change_url(person))
    assert "slug" not in page.context["adminform"].form.fields
    data = form_data(page) | {"slug": "changed-by-an-analyst"}

    analyst_client.post(change_url(person), data)

    person.refresh_from_db()
    assert person.slug == "ilham-aliyev"


def test_an_editor_changes_a_slug_and_the_old_urls_redirect(seeded, editor_client, client):
    person = Person.objects.get(slug="ilham-aliyev")
    page = editor_client.get(change_url(person))
    data = form_data(page) | {"slug": "ilham-heydar-oglu-aliyev"}

    response = editor_client.post(change_url(person), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.slug == "ilham-heydar-oglu-aliyev"
    assert former_owner(Person, "ilham-aliyev") == person.pk
    assert client.get("/persons/ilham-aliyev/")["Location"] == "/persons/ilham-heydar-oglu-aliyev/"


def test_an_editor_cannot_take_another_records_old_slug(seeded, editor_client):
    first, second = Person.objects.order_by("pk")[:2]
    old = second.slug
    data = form_data(editor_client.get(change_url(second))) | {"slug": f"{old}-new"}
    assert editor_client.post(change_url(second), data).status_code == 302

    data = form_data(editor_client.get(change_url(first))) | {"slug": old}
    response = editor_client.post(change_url(first), data)

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    first.refresh_from_db()
    assert first.slug != old
