from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from records.basis import BasisMixin, derived_entry
from records.links import detail_url
from records.models import (
    DatedMixin,
    DatePrecision,
    EditVersioned,
    PartQuerySet,
    Record,
    changes_index,
    format_partial_date,
    kind_facet_index,
)
from records.registry import register, register_part
from summits.models import Body, Country, Meeting, Organization, Person, Sector


class Package(BasisMixin, Record):
    """A set of documents announced together: "a package of 10 documents"."""

    basis_facts = {"meeting": ("meeting",), "announced_count": ("announced_count",)}

    title = models.CharField(max_length=300)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="packages"
    )
    announced_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text='How many documents the text announces; empty for "a number of documents".',
    )
    announced_text = models.CharField(
        "as announced",
        max_length=300,
        blank=True,
        help_text='Verbatim: "a package of 10 documents".',
    )
    summary = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")
    history = HistoricalRecords()

    search_fields = ("title", "summary")

    class Meta:
        ordering = ["title"]
        # The lists' default order among published records (records/api/ordering.stable_order).
        indexes = [
            changes_index("package"),
            models.Index(fields=["status", "title", "id"], name="package_list_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return detail_url("package-detail", "slug", self.slug)

    def identified_display(self, identified: int) -> str:
        """'1 of 10 identified', or '2 identified, total not stated'."""
        if self.announced_count is None:
            return f"{identified} identified, total not stated"
        return f"{identified} of {self.announced_count} identified"


class Document(BasisMixin, DatedMixin, Record):
    basis_facts = {
        "date": ("date",),
        "place_city": ("place_city", "city"),
        "place_country": ("place_country",),
        "meeting": ("meeting",),
        "package": ("package",),
        "establishes_body": ("establishes_body",),
        "conclusion": ("conclusion",),
        "parties": ("parties",),
        "signatories": ("signatories",),
    }
    year_fact = "date"

    class Kind(models.TextChoices):
        TREATY = "treaty", "Treaty"
        AGREEMENT = "agreement", "Agreement"
        DECLARATION = "declaration", "Declaration"
        JOINT_STATEMENT = "joint_statement", "Joint statement"
        MEMORANDUM = "memorandum", "Memorandum"
        PROTOCOL = "protocol", "Protocol"
        PROGRAMME = "programme", "Programme or roadmap"
        DECISION = "decision", "Decision of a body"
        OTHER = "other", "Other"

    class Level(models.TextChoices):
        INTERSTATE = "interstate", "Interstate"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental"
        INTERDEPARTMENTAL = "interdepartmental", "Interdepartmental"
        COMMERCIAL = "commercial", "Commercial"
        UNKNOWN = "unknown", "Not stated"

    class Conclusion(models.TextChoices):
        SIGNED_BY_LEADERS = "signed_by_leaders", "Signed by the leaders"
        EXCHANGED = "exchanged", "Exchanged in the leaders' presence"
        ADOPTED = "adopted", "Adopted"
        INITIALED = "initialed", "Initialed"
        ISSUED = "issued", "Issued jointly"
        UNKNOWN = "unknown", "Not stated"

    title = models.CharField(max_length=500, help_text="As the source names it.")
    kind = models.CharField(max_length=20, choices=Kind, db_index=True)
    level = models.CharField(
        max_length=20,
        choices=Level,
        default=Level.UNKNOWN,
        help_text=(
            "Who concluded it. Interstate: the states, usually their heads of state. "
            "Intergovernmental: the governments. Interdepartmental: ministries or agencies. "
            "Commercial: companies or banks. Not stated: the text does not say."
        ),
    )
    conclusion = models.CharField(
        "how concluded",
        max_length=20,
        choices=Conclusion,
        default=Conclusion.UNKNOWN,
        help_text=(
            "Where “signed” is entered, once: with the document's date it gives the status "
            "step (signed, initialed, adopted) when the document has none. Signed only when "
            "the text says signed."
        ),
    )
    parties = models.ManyToManyField(
        Country, through="DocumentParty", related_name="documents", blank=True
    )
    signatories = models.ManyToManyField(
        Person, through="DocumentSignatory", related_name="documents", blank=True
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    package = models.ForeignKey(
        Package, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    date = models.DateField(null=True, blank=True, db_index=True)
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    place_city = models.CharField("city", max_length=100, blank=True)
    place_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    establishes_body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="establishing_documents",
        help_text="The standing body this document establishes.",
    )
    summary = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")
    history = HistoricalRecords()

    search_fields = ("title", "summary")
    # Records found by the names of the records they involve (records/search.word_matches).
    search_related = ("signatories", "parties", "establishes_body")
    search_date = "date"

    class Meta:
        ordering = ["-date", "title"]
        indexes = [changes_index("document"), kind_facet_index("document")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return detail_url("document-detail", "slug", self.slug)

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)

    @staticmethod
    def meeting_defaults(meeting: Meeting) -> dict[str, Any]:
        """The place and date a document signed at `meeting` takes from it, with the basis
        of each carried from the meeting's (records.basis.derived_entry): {field: value},
        plus "basis" {fact: entry} for the facts that hold a value."""
        origin = f"the meeting it was signed at, “{meeting}”"
        values: dict[str, Any] = {"basis": {}}
        for fact, field, value, meeting_fact in (
            ("place_city", "place_city", meeting.city, "city"),
            ("place_country", "place_country_id", meeting.host_country_id, "host_country"),
            ("date", "date", meeting.start_date, "start_date"),
        ):
            if value in (None, ""):
                continue
            values[field] = value
            values["basis"][fact] = derived_entry(meeting.basis_of(meeting_fact), origin=origin)
        if meeting.start_date is not None:
            values["date_precision"] = meeting.start_precision
            if meeting.year_inferred:
                values["year_inferred"] = True
                values["inference"] = values["basis"]["date"]["reasoning"]
        return values

    def default_from_meeting(self) -> list[str]:
        """Fill the place and date left empty from the meeting it was signed at; the names
        of the fields filled. A value the analyst gave is never replaced."""
        if self.meeting is None:
            return []
        defaults = self.meeting_defaults(self.meeting)
        bases = defaults.pop("basis")
        filled = []
        groups = {
            "place_city": ("place_city",),
            "place_country": ("place_country_id",),
            "date": ("date", "date_precision", "year_inferred", "inference"),
        }
        for fact, fields in groups.items():
            if fact not in bases or self.fact_has_value(fact):
                continue
            for name in fields:
                if name in defaults:
                    setattr(self, name, defaults[name])
            self.basis = {**(self.basis or {}), fact: bases[fact]}
            filled.append(fact)
        return filled

    def step_from_conclusion(self) -> StatusEvent | None:
        """ "Signed" is recorded once, as how the document was concluded (and its date): the
        status step it implies, unsaved, when the document has none of that status yet. Its
        bases are carried from the document's conclusion and date."""
        status = CONCLUSION_STEPS.get(self.conclusion)
        if status is None or self.pk is None or self.status_events.filter(status=status).exists():
            return None
        origin = f"the document's “how concluded” ({self.get_conclusion_display().lower()})"
        bases = {"status": derived_entry(self.basis_of("conclusion"), origin=origin)}
        step = StatusEvent(
            document=self, status=status, note="From how the document was concluded."
        )
        if self.date is not None:
            step.date, step.date_precision = self.date, self.date_precision
            step.year_inferred, step.inference = self.year_inferred, self.inference
            bases["date"] = derived_entry(self.basis_of("date"), origin="the document's date")
        step.basis = bases
        return step


class DocumentParty(models.Model):
    class Role(models.TextChoices):
        PARTY = "party", "Party"
        WITNESS = "witness", "Witness"
        MEDIATOR = "mediator", "Mediator"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="party_roles")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="party_roles")
    role = models.CharField(max_length=20, choices=Role, default=Role.PARTY)

    objects = PartQuerySet.as_manager()
    visible_through = ("document",)

    class Meta:
        verbose_name_plural = "document parties"
        indexes = [models.Index(fields=["country", "document"], name="document_party_by_country")]
        constraints = [
            models.UniqueConstraint(fields=["document", "country"], name="document_party_once")
        ]

    def __str__(self) -> str:
        return f"{self.country} ({self.get_role_display()})"


class DocumentSignatory(models.Model):
    class Role(models.TextChoices):
        SIGNED = "signed", "Signed"
        INITIALED = "initialed", "Initialed"
        WITNESSED = "witnessed", "Witnessed"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signings")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="signings")
    role = models.CharField(max_length=20, choices=Role, default=Role.SIGNED)

    objects = PartQuerySet.as_manager()
    visible_through = ("document", "person")

    class Meta:
        verbose_name_plural = "document signatories"
        constraints = [
            models.UniqueConstraint(fields=["document", "person"], name="document_signatory_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class DocumentRelation(models.Model):
    class Kind(models.TextChoices):
        AMENDS = "amends", "Amends"
        SUPERSEDES = "supersedes", "Supersedes"
        IMPLEMENTS = "implements", "Implements"
        REFERS_TO = "refers_to", "Refers to"

    from_document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="relations_from"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    to_document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="relations_to"
    )

    objects = PartQuerySet.as_manager()
    visible_through = ("from_document", "to_document")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_document", "kind", "to_document"], name="document_relation_once"
            ),
            models.CheckConstraint(
                condition=~Q(from_document=F("to_document")),
                name="document_relation_not_to_itself",
                violation_error_message="A document cannot relate to itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_document} {self.get_kind_display().lower()} {self.to_document}"


class DatedStep(BasisMixin, DatedMixin, EditVersioned):
    """One dated, cited step in the life of a record: a document's status event, a project's
    milestone. Shown under the record it belongs to (`owner`), which is its public page."""

    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    note = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")

    objects = PartQuerySet.as_manager()
    # The field naming the record the step belongs to.
    owner_field = ""
    year_fact = "date"

    class Meta:
        abstract = True
        ordering = [F("date").asc(nulls_last=True), "pk"]

    def get_absolute_url(self) -> str:
        return self.owner.get_absolute_url()

    @property
    def owner(self) -> Record:
        return getattr(self, self.owner_field)

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)


class StatusEvent(DatedStep):
    """One dated, cited step in a document's life: proposed, initialed, signed, in force…"""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        NEGOTIATED = "negotiated", "Negotiated"
        INITIALED = "initialed", "Initialed"
        SIGNED = "signed", "Signed"
        # Issued or adopted: what the text says of a declaration or a decision no one is
        # said to have signed.
        ADOPTED = "adopted", "Adopted or issued (not signed)"
        IN_FORCE = "in_force", "In force"
        TERMINATED = "terminated", "Terminated"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(
        max_length=20,
        choices=Status,
        db_index=True,
        help_text="Signed only when the text says signed; adopted or issued otherwise.",
    )
    history = HistoricalRecords()

    owner_field = "document"
    visible_through = ("document",)
    # A quote cited for the whole event is the event: it states the status.
    basis_facts = {"status": ("status", ""), "date": ("date",)}

    class Meta(DatedStep.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.date_display})"


# How a document was concluded, and the status step that says the same.
CONCLUSION_STEPS = {
    Document.Conclusion.SIGNED_BY_LEADERS: StatusEvent.Status.SIGNED,
    Document.Conclusion.EXCHANGED: StatusEvent.Status.SIGNED,
    Document.Conclusion.INITIALED: StatusEvent.Status.INITIALED,
    Document.Conclusion.ADOPTED: StatusEvent.Status.ADOPTED,
    Document.Conclusion.ISSUED: StatusEvent.Status.ADOPTED,
}


class Project(BasisMixin, Record):
    basis_facts = {
        "location_city": ("location_city", "city"),
        "location_country": ("location_country",),
        "meetings": ("meetings",),
        "documents": ("documents",),
        "countries": ("countries",),
        "organizations": ("organizations",),
        "figures": ("figures",),
    }

    class Kind(models.TextChoices):
        JOINT_VENTURE = "joint_venture", "Joint venture"
        ASSEMBLY_PLANT = "assembly_plant", "Assembly plant"
        FUND = "fund", "Fund"
        INFRASTRUCTURE = "infrastructure", "Infrastructure"
        PROGRAMME = "programme", "Cultural or humanitarian programme"
        TRADE_HOUSE = "trade_house", "Trade house"
        GIFT = "gift", "Gift"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind, db_index=True)
    sectors = models.ManyToManyField(Sector, related_name="projects", blank=True)
    countries = models.ManyToManyField(
        Country, through="ProjectCountry", related_name="projects", blank=True
    )
    organizations = models.ManyToManyField(
        Organization, through="ProjectOrganization", related_name="projects", blank=True
    )
    location_city = models.CharField("city", max_length=100, blank=True)
    location_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meetings = models.ManyToManyField(Meeting, related_name="projects", blank=True)
    documents = models.ManyToManyField(Document, related_name="projects", blank=True)
    summary = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")
    history = HistoricalRecords(m2m_fields=[sectors, meetings, documents])

    search_fields = ("name", "summary", "location_city")
    # Records found by the names of the records they involve (records/search.word_matches).
    search_related = ("countries", "organizations")
    search_date = "milestones__date"

    class Meta:
        ordering = ["name"]
        indexes = [
            changes_index("project"),
            kind_facet_index("project"),
            models.Index(fields=["status", "name", "id"], name="project_list_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("project-detail", "slug", self.slug)


class ProjectCountry(models.Model):
    class Role(models.TextChoices):
        PARTNER = "partner", "Partner"
        HOST = "host", "Host"
        DONOR = "donor", "Donor"
        RECIPIENT = "recipient", "Recipient"
        SUPPORTER = "supporter", "Supporter"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="country_roles")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="project_roles")
    role = models.CharField(max_length=20, choices=Role, default=Role.PARTNER)

    objects = PartQuerySet.as_manager()
    visible_through = ("project",)

    class Meta:
        verbose_name_plural = "project countries"
        indexes = [models.Index(fields=["country", "project"], name="project_country_by_country")]
        constraints = [
            models.UniqueConstraint(fields=["project", "country"], name="project_country_once")
        ]

    def __str__(self) -> str:
        return f"{self.country} ({self.get_role_display()})"


class ProjectOrganization(models.Model):
    class Role(models.TextChoices):
        PARTNER = "partner", "Partner"
        OPERATOR = "operator", "Operator"
        INVESTOR = "investor", "Investor"
        MANUFACTURER = "manufacturer", "Manufacturer"
        BENEFICIARY = "beneficiary", "Beneficiary"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="organization_roles"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="project_roles"
    )
    role = models.CharField(max_length=20, choices=Role, default=Role.PARTNER)

    objects = PartQuerySet.as_manager()
    visible_through = ("project", "organization")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organization"], name="project_organization_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class ProjectFigure(models.Model):
    """A figure as a text states it: "More than 10,000 tractors … assembled"."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="figures")
    text = models.CharField("as written", max_length=500)
    value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=100, blank=True)
    qualifier = models.CharField(
        max_length=50, blank=True, help_text='"more than", "around", "up to".'
    )

    objects = PartQuerySet.as_manager()
    visible_through = ("project",)

    class Meta:
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return self.text


class Milestone(DatedStep):
    class Kind(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AGREED = "agreed", "Agreed"
        # Set up (a fund, a council) with no sign yet that it works: kept apart from operational.
        ESTABLISHED = "established", "Established (not shown operational)"
        STARTED = "started", "Started"
        OPERATIONAL = "operational", "Operational"
        COMPLETED = "completed", "Completed"
        STALLED = "stalled", "Stalled"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        db_index=True,
        help_text=(
            "Established or agreed when the text says so; operational only when it says the "
            "project works (a fund that finances, a plant that produces)."
        ),
    )
    history = HistoricalRecords()

    owner_field = "project"
    visible_through = ("project",)
    # A quote cited for the whole milestone is the milestone: it states its kind.
    basis_facts = {"kind": ("kind", ""), "date": ("date",)}

    class Meta(DatedStep.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.date_display})"


register(Document, plural="documents", label="Documents", position=20)
register(Package, plural="packages", label="Packages", position=30)
register(Project, plural="projects", label="Projects", position=40, title_field="name")
register_part(DocumentParty, owner="document")
register_part(DocumentSignatory, owner="document")
register_part(DocumentRelation, owner="from_document")
register_part(
    StatusEvent,
    owner="document",
    seed_collection="status_history",
    describe=lambda step: f"Status of document ({step.get_status_display().lower()})",
)
register_part(ProjectCountry, owner="project")
register_part(ProjectOrganization, owner="project")
register_part(ProjectFigure, owner="project")
register_part(
    Milestone,
    owner="project",
    seed_collection="milestones",
    describe=lambda step: f"Milestone of project ({step.get_kind_display().lower()})",
)
