"""Publishing an imported article's records publishes the drafts they show, as the admin's
"publish with what it shows" does (one service, records/publishing.py)."""

import datetime as dt
from pathlib import Path

from records.models import EditorialStatus
from seeds.models import Proposal
from seeds.review import accept_pending, review_create, review_publish
from summits.models import Meeting, MeetingPerson, Person

ARTICLE = Path(__file__).resolve().parent / "articles" / "tashkent_2024.txt"


def test_the_reviews_records_go_out_with_the_drafts_they_show(seeded, django_user_model):
    user = django_user_model.objects.create_user("reviewer")
    review = review_create(
        text=ARTICLE.read_text(),
        title="Aliyev in Tashkent",
        publisher="Trend News Agency",
        published_on=dt.date(2024, 8, 22),
        user=user,
    )
    accept_pending(review=review, user=user)
    meeting_ids = review.proposals.filter(
        kind=Proposal.Kind.MEETING, decision=Proposal.Decision.ACCEPTED
    ).values_list("object_id", flat=True)
    meeting = Meeting.objects.get(pk=meeting_ids[0])
    # A person entered by hand for the meeting, still a draft.
    person = Person.objects.create(slug="a-draft-minister", name="A Draft Minister")
    MeetingPerson.objects.create(meeting=meeting, person=person)

    review_publish(review=review, user=user)

    person.refresh_from_db()
    assert person.status == EditorialStatus.PUBLISHED
    assert person.history.latest().history_user == user
    meeting.refresh_from_db()
    assert meeting.status == EditorialStatus.PUBLISHED
