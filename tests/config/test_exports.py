"""The exports' record plans (records/api/plan.py): a field the plan cannot build the way the
serializer does is refused when the plan is made, never exported differently. That the records
equal the serializer's is tested over every resource in tests/api/test_exports.py."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from records.api.plan import RecordPlan, url_parts
from records.serializers import SlugsField
from summits.models import Meeting
from summits.serializers import MeetingSerializer


class WithMethodField(MeetingSerializer):
    weekday = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "weekday"]

    def get_weekday(self, meeting) -> str:
        return meeting.start_date.strftime("%A")


class WithUnprefetchedRelation(MeetingSerializer):
    parts = SlugsField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "parts"]


def meetings():
    return Meeting.objects.prefetch_related(
        "participations", "attendances", "sectors", "documents", "packages", "projects"
    ).prefetch_related("citations")


def test_a_method_field_needs_a_computed_function():
    with pytest.raises(ImproperlyConfigured, match="weekday"):
        RecordPlan.for_queryset(WithMethodField(), meetings())
    plan = RecordPlan.for_queryset(
        WithMethodField(), meetings(), computed={"weekday": lambda ids: {}}
    )
    assert plan.names[-1] == "weekday"


def test_a_relation_must_be_prefetched():
    with pytest.raises(ImproperlyConfigured, match="does not prefetch 'parts'"):
        RecordPlan.for_queryset(WithUnprefetchedRelation(), meetings())


def test_a_column_behind_a_nullable_foreign_key_needs_allow_null():
    class HostName(MeetingSerializer):
        host_name = serializers.CharField(source="host_country.name", read_only=True)

        class Meta(MeetingSerializer.Meta):
            fields = [*MeetingSerializer.Meta.fields, "host_name"]

    # DRF would leave the key out of a meeting without a host country.
    with pytest.raises(ImproperlyConfigured, match="allow_null"):
        RecordPlan.for_queryset(HostName(), meetings())


def test_url_parts_are_only_trusted_when_the_key_is_copied_verbatim():
    assert url_parts(lambda key: f"http://testserver/api/v1/meetings/{key}/") == (
        "http://testserver/api/v1/meetings/",
        "/",
    )
    assert url_parts(lambda key: f"/countries/{key.upper()}/") is None
    assert url_parts(lambda key: "/always/the/same/") is None
