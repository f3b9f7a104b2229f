"""The API's record shapes for documents, packages and projects (see summits.serializers)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import Document, Milestone, Package, Project, StatusEvent
from records.api.basis import basis_field
from records.serializers import (
    ApiUrlField,
    CitationSerializer,
    CitedMixin,
    CodesField,
    Described,
    DescribedModel,
    NamedLinkSerializer,
    PublicUrlField,
    SlugsField,
    TitledLinkSerializer,
)


class PartySerializer(Described):
    country = serializers.CharField(source="country.code")
    role = serializers.CharField(help_text="party, witness or mediator.")


class SignatorySerializer(Described):
    id = serializers.IntegerField(source="person.id", help_text="Id of the person.")
    slug = serializers.CharField(source="person.slug", help_text="Slug of the person.")
    name = serializers.CharField(source="person.name", help_text="Name of the person.")
    role = serializers.CharField(help_text="signed, initialed or witnessed.")


class DatedStepSerializer(Described):
    """A status event's or a milestone's shared fields: a dated, cited step.

    DRF lists inherited fields first; `step_fields` keeps what the step is at the front, so
    the records' key order stays as published."""

    step_fields: tuple[str, ...] = ()

    date = serializers.DateField(allow_null=True)
    date_precision = serializers.CharField()
    date_text = serializers.CharField(help_text='The date as the text wrote it: "October 21".')
    year_inferred = serializers.BooleanField(
        help_text="The text omits the year; it follows from other facts."
    )
    inference = serializers.CharField(help_text="Which facts fix the year.")
    note = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        first = {name: fields.pop(name) for name in self.step_fields}
        return {**first, **fields}


class StatusEventSerializer(DatedStepSerializer):
    step_fields = ("status", "status_label")
    status = serializers.CharField(
        help_text="proposed, negotiated, initialed, signed, adopted, in_force or terminated."
    )
    status_label = serializers.CharField(source="get_status_display")
    basis = basis_field(StatusEvent)


class RelationSerializer(Described):
    kind = serializers.CharField(help_text="amends, supersedes, implements or refers_to.")
    document = serializers.CharField(
        source="to_document.slug", help_text="Slug of the document this one relates to."
    )


class DocumentSerializer(CitedMixin, DescribedModel):
    url = ApiUrlField("document")
    public_url = PublicUrlField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(
        source="get_level_display", read_only=True, help_text="Human-readable label of level."
    )
    countries = CodesField(source="party_roles")
    parties = PartySerializer(
        source="party_roles", many=True, read_only=True, help_text="Countries and their roles."
    )
    persons = SignatorySerializer(
        source="signings",
        many=True,
        read_only=True,
        help_text="Who signed, initialed or witnessed.",
    )
    meeting = TitledLinkSerializer(
        read_only=True, allow_null=True, help_text="The meeting where it was concluded, or null."
    )
    package = TitledLinkSerializer(
        read_only=True, allow_null=True, help_text="The package it belongs to, or null."
    )
    place_country = serializers.CharField(
        source="place_country.code",
        allow_null=True,
        read_only=True,
        help_text="ISO code of the country where it was concluded, or null.",
    )
    establishes_body = NamedLinkSerializer(
        read_only=True, allow_null=True, help_text="The body this document establishes, or null."
    )
    status_history = StatusEventSerializer(
        source="status_events",
        many=True,
        read_only=True,
        help_text="Dated, cited steps, oldest first.",
    )
    relations = RelationSerializer(
        source="relations_from",
        many=True,
        read_only=True,
        help_text="How this document relates to others (amends, supersedes…).",
    )
    projects = NamedLinkSerializer(
        many=True, read_only=True, help_text="Joint projects the document concerns."
    )
    basis = basis_field(Document)

    class Meta:
        model = Document
        fields = [
            "id",
            "slug",
            "url",
            "public_url",
            "updated_at",
            "title",
            "kind",
            "kind_label",
            "level",
            "level_label",
            "conclusion",
            "date",
            "date_precision",
            "date_text",
            "year_inferred",
            "inference",
            "place_city",
            "place_country",
            "countries",
            "parties",
            "persons",
            "meeting",
            "package",
            "establishes_body",
            "status_history",
            "relations",
            "projects",
            "summary",
            "citations",
            "basis",
        ]
        extra_kwargs = {
            "level": {
                "help_text": "interstate, intergovernmental, interdepartmental, "
                "commercial or unknown."
            },
            "conclusion": {
                "help_text": "How it was concluded: signed_by_leaders, exchanged, "
                "adopted, initialed, issued or unknown."
            },
            "place_city": {"help_text": "City where it was concluded."},
        }


class PackageSerializer(CitedMixin, DescribedModel):
    url = ApiUrlField("package")
    public_url = PublicUrlField()
    meeting = TitledLinkSerializer(
        read_only=True, allow_null=True, help_text="The meeting where it was announced, or null."
    )
    countries = serializers.SerializerMethodField(
        help_text="ISO codes of the countries at the package's meeting; empty without one."
    )
    documents = TitledLinkSerializer(
        many=True, read_only=True, help_text="The documents of the package identified so far."
    )
    basis = basis_field(Package)

    class Meta:
        model = Package
        fields = [
            "id",
            "slug",
            "url",
            "public_url",
            "updated_at",
            "title",
            "meeting",
            "countries",
            "announced_count",
            "announced_text",
            "documents",
            "summary",
            "citations",
            "basis",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries(self, package) -> list[str]:
        if package.meeting is None:
            return []
        return [row.country.code for row in package.meeting.participations.all()]


class MilestoneSerializer(DatedStepSerializer):
    step_fields = ("kind", "kind_label")
    kind = serializers.CharField(
        help_text="proposed, agreed, established, started, operational, completed or stalled."
    )
    kind_label = serializers.CharField(source="get_kind_display")
    basis = basis_field(Milestone)


class ProjectCountrySerializer(Described):
    country = serializers.CharField(source="country.code")
    role = serializers.CharField(help_text="partner, host, donor, recipient or supporter.")


class ProjectOrganizationSerializer(Described):
    id = serializers.IntegerField(source="organization.id", help_text="Id of the organization.")
    slug = serializers.CharField(source="organization.slug", help_text="Its slug.")
    name = serializers.CharField(source="organization.name", help_text="Its name.")
    role = serializers.CharField(
        help_text="partner, operator, investor, manufacturer or beneficiary."
    )


class FigureSerializer(Described):
    text = serializers.CharField(help_text="The figure as written.")
    value = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text="Its number, if stated."
    )
    unit = serializers.CharField(help_text="Unit of value.")
    qualifier = serializers.CharField(help_text='"more than", "around", "up to", or empty.')


class ProjectSerializer(CitedMixin, DescribedModel):
    url = ApiUrlField("project")
    public_url = PublicUrlField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    countries = CodesField(source="country_roles")
    participants = ProjectCountrySerializer(
        source="country_roles", many=True, read_only=True, help_text="Countries and roles."
    )
    organizations = ProjectOrganizationSerializer(
        source="organization_roles",
        many=True,
        read_only=True,
        help_text="Organizations and roles.",
    )
    location_country = serializers.CharField(
        source="location_country.code",
        allow_null=True,
        read_only=True,
        help_text="ISO code of the country where it is located, or null.",
    )
    sectors = SlugsField()
    meetings = TitledLinkSerializer(
        many=True, read_only=True, help_text="Meetings where it was discussed or started."
    )
    documents = TitledLinkSerializer(many=True, read_only=True, help_text="Documents about it.")
    milestones = MilestoneSerializer(
        many=True, read_only=True, help_text="Dated, cited steps, oldest first."
    )
    figures = FigureSerializer(many=True, read_only=True, help_text="Figures the texts state.")
    basis = basis_field(Project)

    class Meta:
        model = Project
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
            "participants",
            "organizations",
            "location_city",
            "location_country",
            "sectors",
            "meetings",
            "documents",
            "milestones",
            "figures",
            "summary",
            "citations",
            "basis",
        ]
        extra_kwargs = {"location_city": {"help_text": "City where it is located."}}
