"""The API's record shapes for countries, persons, organizations, bodies and meetings, plus the
pieces every resource embeds (citations, links to related records, country codes).

The field names are a public contract: add fields freely, never rename or remove one without
raising `DATASET_FORMAT_VERSION`. Every serializer reads only what its viewset prefetched.
The exports build the same records from plain rows (config/exports.py), which knows the field
kinds used here; a field of another kind is refused there, and tests/api/test_exports.py fails.
"""

from __future__ import annotations

import operator

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from summits.models import Body, Country, EditorialStatus, Meeting, Organization, Person

# Descriptions for fields whose model field has no help_text of its own, so that every field
# of the OpenAPI schema says what it holds.
GLOSSARY = {
    "id": "Numeric identifier; stable, never reused.",
    "slug": "Stable text identifier used in URLs.",
    "url": "This record in the API.",
    "public_url": "This record's public HTML page.",
    "updated_at": "When the record last changed (ISO 8601, UTC).",
    "title": "Title as the sources give it.",
    "name": "Name in English.",
    "kind": "What kind of record this is (a code; see kind_label).",
    "kind_label": "Human-readable label of kind.",
    "summary": "An analyst's summary.",
    "start_date": "Start date, ISO 8601; only as precise as start_precision says.",
    "start_precision": "Precision of start_date: day, month or year (then the day or month is "
    "a placeholder).",
    "end_date": "End date, ISO 8601, or null for a one-day or open event.",
    "end_precision": "Precision of end_date: day, month or year.",
    "date": "Date, ISO 8601; only as precise as date_precision says.",
    "date_precision": "Precision of date: day, month or year.",
    "city": "City where it took place.",
    "host_country": "ISO 3166-1 alpha-2 code of the host country, or null.",
    "country": "ISO 3166-1 alpha-2 code of the country.",
    "countries": "ISO 3166-1 alpha-2 codes of every country involved, in any role.",
    "role": "The role in this record.",
    "formats": "Formats of the talks: one_on_one, narrow, expanded, press_conference.",
    "sectors": "Slugs of the sectors discussed.",
    "citations": "The verbatim quotes this record rests on.",
    "official_name": "Official long name.",
    "aliases": "Other names the texts use.",
    "code": "ISO 3166-1 alpha-2 code.",
    "note": "An analyst's note.",
    "status": "Status code.",
    "status_label": "Human-readable label of status.",
    "session_number": "Number of the session within its body, or null.",
    "author": "Author, when the text names one.",
    "published_on": "Publication date, ISO 8601; only as precise as published_precision says.",
}


class DescribedMixin:
    """Gives each field without help_text its description from GLOSSARY."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not getattr(field, "help_text", None) and name in GLOSSARY:
                field.help_text = GLOSSARY[name]
        return fields


class Described(DescribedMixin, serializers.Serializer):
    pass


class DescribedModel(DescribedMixin, serializers.ModelSerializer):
    pass


@extend_schema_field(OpenApiTypes.URI)
class PublicUrlField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        path = instance.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field(OpenApiTypes.URI)
class ApiUrlField(serializers.Field):
    """The record's API URL, without the `?format=` DRF would carry over from the request:
    the URL is an identifier and must read the same however the record was fetched."""

    def __init__(self, basename: str, lookup_field: str = "slug", **kwargs):
        self.view_name, self.lookup_field = f"api:{basename}-detail", lookup_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        path = reverse(
            self.view_name, kwargs={self.lookup_field: getattr(instance, self.lookup_field)}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class RelatedValuesField(serializers.Field):
    """One attribute of every record in a prefetched relation, as a list. The attribute is
    named by a dotted `path` rather than read in code, so that the exports (config/exports.py)
    read the very same column from plain rows."""

    def __init__(self, path: str, **kwargs):
        self.path = path
        self.read = operator.attrgetter(path)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, manager) -> list:
        return [self.read(item) for item in manager.all()]


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class CodesField(RelatedValuesField):
    """ISO codes of the countries in a prefetched relation: through rows (a meeting's
    participations) by default, or countries themselves with `path="code"`."""

    def __init__(self, path: str = "country.code", **kwargs):
        super().__init__(path, **kwargs)


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class SlugsField(RelatedValuesField):
    def __init__(self, **kwargs):
        super().__init__("slug", **kwargs)


class CitationSerializer(Described):
    source = serializers.IntegerField(source="source_id", help_text="Id of the source.")
    source_slug = serializers.CharField(source="source.slug", help_text="Slug of the source.")
    publisher = serializers.CharField(
        source="source.publisher", help_text="Publisher of the source; empty when not named."
    )
    quote = serializers.CharField(help_text="The quote, verbatim from the source's text.")
    start = serializers.IntegerField(help_text="Character offset where the quote starts.")
    end = serializers.IntegerField(help_text="Character offset just after the quote.")
    field = serializers.CharField(
        help_text="The fact the quote supports (date, city…); empty for the whole record."
    )


class CitedMixin(serializers.Serializer):
    citations = CitationSerializer(many=True, read_only=True)


class LinkSerializer(Described):
    """A related record by id, slug and name; null for a draft the client may not see."""

    id = serializers.IntegerField()
    slug = serializers.CharField()

    def to_representation(self, instance):
        status = getattr(instance, "status", EditorialStatus.PUBLISHED)
        if status != EditorialStatus.PUBLISHED and not self.context.get("staff"):
            return None
        return super().to_representation(instance)


class NamedLinkSerializer(LinkSerializer):
    name = serializers.CharField()


class TitledLinkSerializer(LinkSerializer):
    title = serializers.CharField()


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
        ]
