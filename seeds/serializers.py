"""The API's record shape for sources (see summits.serializers)."""

from __future__ import annotations

from rest_framework import serializers

from seeds.models import Source
from summits.serializers import ApiUrlField, DescribedModel, PublicUrlField

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


class SourceDetailSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SOURCE_FIELDS, "text"]
