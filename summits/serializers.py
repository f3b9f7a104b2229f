"""The API's record shapes for countries, persons, organizations, bodies and meetings.

The pieces every resource embeds (citations, links, country codes) are in records/serializers.py,
which also says how a resource's JSON is described once and rendered by RecordPlan.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from records.api.basis import basis_field
from records.serializers import (
    ApiUrlField,
    CitedMixin,
    CodesField,
    Described,
    DescribedModel,
    NamedLinkSerializer,
    PublicUrlField,
    SlugsField,
    TitledLinkSerializer,
)
from summits.models import Body, Country, Meeting, Organization, Person


class ParticipantSerializer(Described):
    country = serializers.CharField(source="country.code")
    role = serializers.CharField(help_text="host, guest, participant or mediator.")


class AttendanceSerializer(Described):
    id = serializers.IntegerField(source="person.id", help_text="Id of the person.")
    slug = serializers.CharField(source="person.slug", help_text="Slug of the person.")
    name = serializers.CharField(source="person.name", help_text="Name of the person.")
    role = serializers.CharField(help_text="principal, participant, mediator or mentioned.")


class CountrySerializer(DescribedModel):
    url = ApiUrlField("country", lookup_field="code")
    public_url = PublicUrlField()
    slug = serializers.CharField(help_text="The ISO code in lower case, as public URLs use it.")
    updated_at = serializers.SerializerMethodField(
        help_text="Always null: countries are reference data without an edit time."
    )

    class Meta:
        model = Country
        fields = [
            "id",
            "code",
            "slug",
            "url",
            "public_url",
            "updated_at",
            "name",
            "official_name",
            "adjective",
            "aliases",
        ]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, country) -> None:
        return None


class OfficeSerializer(Described):
    title = serializers.CharField(help_text="The office as the texts name it.")
    country = serializers.CharField(source="country.code", allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    start_precision = serializers.CharField()
    end_date = serializers.DateField(allow_null=True, help_text="Null while in office.")
    end_precision = serializers.CharField()


class PersonSerializer(CitedMixin, DescribedModel):
    url = ApiUrlField("person")
    public_url = PublicUrlField()
    country = serializers.CharField(source="country.code", allow_null=True, read_only=True)
    offices = OfficeSerializer(many=True, read_only=True, help_text="Offices held.")

    class Meta:
        model = Person
        fields = [
            "id",
            "slug",
            "url",
            "public_url",
            "updated_at",
            "name",
            "aliases",
            "country",
            "wikidata_id",
            "summary",
            "offices",
            "citations",
        ]
        extra_kwargs = {"wikidata_id": {"help_text": "Wikidata item id (Q…), or empty."}}


class OrganizationSerializer(CitedMixin, DescribedModel):
    url = ApiUrlField("organization")
    public_url = PublicUrlField()
    country = serializers.CharField(source="country.code", allow_null=True, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            "url",
            "public_url",
            "updated_at",
            "name",
            "aliases",
            "country",
            "kind",
            "kind_label",
            "summary",
            "citations",
        ]


class SessionLinkSerializer(TitledLinkSerializer):
    session_number = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)


class BodySerializer(CitedMixin, DescribedModel):
    url = ApiUrlField("body")
    public_url = PublicUrlField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    countries = CodesField(
        source="members",
        path="code",
        help_text="ISO 3166-1 alpha-2 codes of the member countries.",
    )
    sessions = SessionLinkSerializer(
        many=True, read_only=True, help_text="Its sessions (meetings), newest first."
    )

    class Meta:
        model = Body
        fields = [
            "id",
            "slug",
            "url",
            "public_url",
            "updated_at",
            "name",
            "aliases",
            "kind",
            "kind_label",
            "countries",
            "sessions",
            "summary",
            "citations",
        ]


class MeetingSerializer(CitedMixin, DescribedModel):
    url = ApiUrlField("meeting")
    public_url = PublicUrlField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    host_country = serializers.CharField(
        source="host_country.code", allow_null=True, read_only=True
    )
    countries = CodesField(source="participations")
    participants = ParticipantSerializer(
        source="participations", many=True, read_only=True, help_text="Countries and roles."
    )
    body = NamedLinkSerializer(
        read_only=True, allow_null=True, help_text="The body this is a session of, or null."
    )
    parent = TitledLinkSerializer(
        read_only=True, allow_null=True, help_text="The meeting containing this one, or null."
    )
    persons = AttendanceSerializer(
        source="attendances", many=True, read_only=True, help_text="People taking part."
    )
    sectors = SlugsField()
    documents = TitledLinkSerializer(
        many=True, read_only=True, help_text="Documents signed or adopted at the meeting."
    )
    packages = TitledLinkSerializer(
        many=True, read_only=True, help_text="Packages of documents announced at the meeting."
    )
    projects = NamedLinkSerializer(
        many=True, read_only=True, help_text="Joint projects linked to the meeting."
    )
    basis = basis_field(Meeting)
    occurrence = serializers.ChoiceField(
        choices=Meeting.Occurrence.choices,
        read_only=True,
        help_text="held, or planned: announced or planned rather than reported as held.",
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "slug",
            "url",
            "public_url",
            "updated_at",
            "title",
            "kind",
            "kind_label",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "date_text",
            "year_inferred",
            "inference",
            "city",
            "host_country",
            "countries",
            "participants",
            "body",
            "session_number",
            "parent",
            "formats",
            "persons",
            "sectors",
            "summary",
            "documents",
            "packages",
            "projects",
            "citations",
            "occurrence",
            "basis",
        ]
