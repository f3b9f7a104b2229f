"""A re-seed finds a record an Editor renamed by its former slug, and leaves the new one."""

from records.slugs import record_rename
from seeds.load import seed
from summits.models import Meeting, Person


def test_a_reseed_updates_the_renamed_record_instead_of_making_a_second(seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    record_rename(record=person, slug="ilham-heydar-oglu-aliyev")
    persons, meetings = Person.objects.count(), Meeting.objects.count()
    attended = set(person.attendances.values_list("meeting_id", flat=True))

    seed()

    assert Person.objects.count() == persons
    assert Meeting.objects.count() == meetings
    assert not Person.objects.filter(slug="ilham-aliyev").exists()
    person.refresh_from_db()
    assert person.slug == "ilham-heydar-oglu-aliyev"
    assert set(person.attendances.values_list("meeting_id", flat=True)) == attended
