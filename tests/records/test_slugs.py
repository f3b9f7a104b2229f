"""Slugs: transliterated from titles, changed by the rename service, old addresses kept."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreements.models import Document
from records.slugs import FormerSlug, former_owner, record_rename, slug_from, unique_slug
from summits.models import Body, Meeting, Person


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        # An en dash, an em dash, a figure dash, a minus and a non-breaking hyphen all join words.
        (
            "Uzbekistan–Azerbaijan Supreme Interstate Council",
            "uzbekistan-azerbaijan-supreme-interstate-council",
        ),
        ("Talks — second round", "talks-second-round"),
        ("Kazakh‒Chinese x−y a‑b", "kazakh-chinese-x-y-a-b"),
        ("Шавкат Мирзиёев", "shavkat-mirzieev"),
        ("Қасым-Жомарт Тоқаев", "kasym-zhomart-tokaev"),
        ("Ilham Heydar oğlu Əliyev", "ilham-heydar-oglu-eliyev"),
        ("“Quoted” ‘words’ and Kazakhstan’s", "quoted-words-and-kazakhstans"),
        ("  --  ", ""),
    ],
)
def test_slug_from_transliterates_and_turns_every_dash_into_a_hyphen(text, slug):
    assert slug_from(text) == slug


def test_slug_from_cuts_long_titles_at_a_word():
    slug = slug_from("word " * 100, max_length=30)
    assert len(slug) <= 30
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"word"}


def test_unique_slug_skips_live_and_former_slugs(seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    assert unique_slug(Person, "Ilham Aliyev") == "ilham-aliyev-2"
    record_rename(record=person, slug="ilham-heydar-oglu-aliyev")
    # The old slug is free of live records but is an old address: never reused.
    assert unique_slug(Person, "Ilham Aliyev") == "ilham-aliyev-2"
    # Another kind's slugs are no obstacle.
    assert unique_slug(Body, "Ilham Aliyev") == "ilham-aliyev"


def test_rename_keeps_the_old_slug_with_one_history_row(seeded, django_user_model):
    user = django_user_model.objects.create_user("renamer")
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    rows = meeting.history.count()

    renamed = record_rename(record=meeting, slug="azerbaijan-kazakhstan-council-2", user=user)

    assert renamed.slug == "azerbaijan-kazakhstan-council-2"
    assert former_owner(Meeting, "az-kz-supreme-interstate-council-2") == meeting.pk
    assert meeting.history.count() == rows + 1
    assert meeting.history.latest().history_user == user
    assert "slug" in renamed.analyst_edited


def test_renamed_twice_both_old_slugs_lead_to_the_record_and_back_again_drops_one(seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    record_rename(record=person, slug="ilham-aliyev-b")
    record_rename(record=person, slug="ilham-aliyev-c")
    assert former_owner(Person, "ilham-aliyev") == person.pk
    assert former_owner(Person, "ilham-aliyev-b") == person.pk

    # Back to its first slug: it is live again, so no longer a former one.
    record_rename(record=person, slug="ilham-aliyev")
    slugs = set(FormerSlug.objects.filter(object_id=person.pk).values_list("slug", flat=True))
    assert slugs == {"ilham-aliyev-b", "ilham-aliyev-c"}


def test_rename_refuses_a_slug_another_record_has_or_had(seeded):
    first, second = Person.objects.order_by("pk")[:2]
    with pytest.raises(ValidationError) as taken:
        record_rename(record=first, slug=second.slug)
    assert "slug" in taken.value.message_dict

    old = second.slug
    record_rename(record=second, slug=f"{old}-renamed")
    with pytest.raises(ValidationError) as retired:
        record_rename(record=first, slug=old)
    assert "another person" in retired.value.message_dict["slug"][0]
    first.refresh_from_db()
    assert first.slug != old


def test_a_new_record_cannot_take_a_former_slug_of_its_kind(seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    record_rename(record=person, slug="ilham-aliyev-new")
    with pytest.raises(ValidationError):
        Person(slug="ilham-aliyev", name="Someone else").full_clean()
    # Documents have their own addresses: the same slug is free there.
    document = Document.objects.first()
    document.slug = "ilham-aliyev"
    document.full_clean()


def test_the_database_refuses_one_former_slug_for_two_records(seeded):
    first, second = Person.objects.order_by("pk")[:2]
    record_rename(record=first, slug="someone-first")
    former = FormerSlug.objects.get(object_id=first.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormerSlug.objects.create(
            content_type=former.content_type, object_id=second.pk, slug=former.slug
        )
