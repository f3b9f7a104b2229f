"""The pieces every resource's JSON shares: field descriptions, URL fields, related values,
citations and links to related records.

How a resource's JSON is described once: its serializer (in its app's `serializers.py`) declares
the fields, their order, their types and descriptions, and so the OpenAPI schema. The API and
the exports never run the serializer per record: `records/api/plan.py` (`RecordPlan`) reads the
declared fields and builds the same JSON from plain rows, knowing each field kind used here. A
computed field (a `SerializerMethodField`) is written once, as a function from a chunk's ids to
each record's value, and given to both by the viewset's `computed_fields()`.

The field names are a public contract: add fields freely, never rename or remove one without
raising `DATASET_FORMAT_VERSION`. A field of a kind RecordPlan does not know is refused there,
and tests/api/test_exports.py fails.
"""

from __future__ import annotations

import operator

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from records.excerpts import shown_texts
from records.models import Source
from records.visibility import shows

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
    named by a dotted `path` rather than read in code, so that the exports (records/api/plan.py)
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
        if not shows(instance, bool(self.context.get("staff"))):
            return None
        return super().to_representation(instance)


class NamedLinkSerializer(LinkSerializer):
    name = serializers.CharField()


class TitledLinkSerializer(LinkSerializer):
    title = serializers.CharField()


# Sources ---------------------------------------------------------------------------------

SOURCE_FIELDS = [
    "id",
    "slug",
    "url",
    "public_url",
    "updated_at",
    "title",
    "publisher",
    "author",
    "dateline",
    "published_on",
    "published_precision",
    "date_text",
    "year_inferred",
    "inference",
    "language",
    "source_url",
    "filename",
    "sha256",
]


class KnownUrlField(serializers.URLField):
    """null, not "", when no URL is known: the schema promises a URI, and "" is not one."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class SourceSerializer(DescribedModel):
    """A source without its text, for lists and exports; the detail adds `text`."""

    url = ApiUrlField("source")
    public_url = PublicUrlField()
    source_url = KnownUrlField(
        source="url", help_text="Where the text was published, if known; else null."
    )

    class Meta:
        model = Source
        fields = SOURCE_FIELDS
        extra_kwargs = {
            "published_precision": {"help_text": "Precision of published_on: day, month or year."},
            "sha256": {"help_text": "SHA-256 of the UTF-8 text; the same text is stored once."},
        }


class ExcerptSerializer(Described):
    start = serializers.IntegerField(help_text="Offset of the excerpt in the original text.")
    end = serializers.IntegerField(help_text="Offset just after it.")
    text = serializers.CharField(help_text="The excerpt, verbatim.")


class SourceDetailSerializer(SourceSerializer):
    text = serializers.SerializerMethodField(
        help_text=(
            "The article's full text, verbatim, where its licence allows republishing it "
            '(`text_use` "full"); otherwise empty, and `excerpts` hold what may be shown.'
        )
    )
    excerpts = serializers.SerializerMethodField(
        help_text=(
            "Each cited passage with a sentence of context on either side, with its offsets "
            "in the original text (overlapping ones merged), in text order."
        )
    )

    class Meta(SourceSerializer.Meta):
        fields = [*SOURCE_FIELDS, "text", "text_use", "excerpts"]

    @extend_schema_field(serializers.CharField())
    def get_text(self, source) -> str:
        return shown_texts([source.pk], bool(self.context.get("staff")))[source.pk]["text"]

    @extend_schema_field(ExcerptSerializer(many=True))
    def get_excerpts(self, source) -> list[dict]:
        return shown_texts([source.pk], bool(self.context.get("staff")))[source.pk]["excerpts"]
