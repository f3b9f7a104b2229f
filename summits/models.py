from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from records.basis import BasisMixin
from records.links import detail_url
from records.models import (
    DatedMixin,
    DatePrecision,
    EditVersioned,
    PartQuerySet,
    Record,
    SeedTracked,
    changes_index,
    format_partial_date,
    kind_facet_index,
    list_of_strings,
)
from records.registry import register, register_part, register_reference


class Country(EditVersioned, SeedTracked):
    code = models.CharField(
        "ISO code",
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 code, e.g. AZ.")],
        help_text="ISO 3166-1 alpha-2 code, upper case.",
    )
    name = models.CharField(max_length=100, help_text="Common English name.")
    official_name = models.CharField(max_length=200, blank=True)
    adjective = models.CharField(
        max_length=100, blank=True, help_text="As texts use it: Kazakh, Belarusian."
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[list_of_strings],
        help_text="Other names texts use for the country or its government.",
    )
    # A search word names a country by a word of these (records/search.name_words).
    search_names = ("name", "adjective", "official_name")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("country-detail", "code", self.code.lower())

    @property
    def slug(self) -> str:
        return self.code.lower()

    def pair_url(self, other: Country) -> str:
        """The page of all relations between this country and `other`."""
        return pair_url(self.code, other.code)


def pair_url(code_a: str, code_b: str) -> str:
    first, second = sorted((code_a.lower(), code_b.lower()))
    return reverse("pair-detail", kwargs={"first": first, "second": second})


class Sector(EditVersioned, SeedTracked):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(Record):
    name = models.CharField(max_length=200)
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[list_of_strings],
        help_text='Names as texts use them: "Ilham Heydar oglu", "Kassym-Jomart Kemelevich".',
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="persons"
    )
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q48850.")],
    )
    summary = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")
    history = HistoricalRecords()

    search_fields = ("name", "aliases", "summary")
    search_names = ("name", "aliases")
    # Records found by the names of the records they involve (records/search.word_matches).
    search_related = ("country",)

    class Meta:
        ordering = ["name"]
        indexes = [changes_index("person")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("person-detail", "slug", self.slug)


class Office(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="offices")
    visible_through = ("person",)
    title = models.CharField(max_length=200, help_text="President of the Republic of Kazakhstan")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    end_date = models.DateField(null=True, blank=True, help_text="Empty while in office.")
    end_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )

    objects = PartQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="office_end_not_before_start",
                violation_error_message="An office cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.person})"


class Organization(Record):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        PLANT = "plant", "Plant"
        MINISTRY = "ministry", "Ministry"
        AGENCY = "agency", "Agency"
        UNIVERSITY = "university", "University"
        PRESS_SERVICE = "press_service", "Press service"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    aliases = models.JSONField(default=list, blank=True, validators=[list_of_strings])
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="organizations"
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.COMPANY)
    summary = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")
    history = HistoricalRecords()

    search_fields = ("name", "aliases", "summary")
    search_names = ("name", "aliases")
    # Records found by the names of the records they involve (records/search.word_matches).
    search_related = ("country",)

    class Meta:
        ordering = ["name"]
        indexes = [changes_index("organization")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("organization-detail", "slug", self.slug)


class Body(Record):
    """A standing mechanism between states, meeting in numbered sessions."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        COMMISSION = "commission", "Commission"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[list_of_strings],
        help_text="Other names texts use for it: “Supreme Interstate Council”.",
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.COUNCIL)
    members = models.ManyToManyField(Country, related_name="bodies", blank=True)
    summary = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")
    history = HistoricalRecords()

    search_fields = ("name", "aliases", "summary")
    # Records found by the names of the records they involve (records/search.word_matches).
    search_related = ("members",)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"
        indexes = [changes_index("body")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("body-detail", "slug", self.slug)


class Meeting(BasisMixin, DatedMixin, Record):
    basis_facts = {
        "start_date": ("start_date", "date"),
        "end_date": ("end_date", "end"),
        "city": ("city",),
        "host_country": ("host_country",),
        "body": ("body",),
        "session_number": ("session_number",),
        "parent": ("parent",),
        "countries": ("countries",),
        "persons": ("persons",),
    }
    year_fact = "start_date"

    class Kind(models.TextChoices):
        STATE_VISIT = "state_visit", "State visit"
        OFFICIAL_VISIT = "official_visit", "Official visit"
        WORKING_VISIT = "working_visit", "Working visit"
        # The text says a leader visited but not whether the visit was state, official or
        # working: choosing one of those would say more than the text.
        VISIT = "visit", "Visit (kind not stated)"
        SUMMIT = "summit", "Summit"
        BODY_SESSION = "body_session", "Session of a body"
        TALKS = "talks", "Talks"
        CEREMONY = "ceremony", "Ceremony"

    class Format(models.TextChoices):
        ONE_ON_ONE = "one_on_one", "One-on-one"
        NARROW = "narrow", "Narrow format"
        EXPANDED = "expanded", "Expanded format"
        PRESS_CONFERENCE = "press_conference", "Press conference"

    class Occurrence(models.TextChoices):
        HELD = "held", "Held"
        PLANNED = "planned", "Announced or planned"

    title = models.CharField(max_length=300)
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        db_index=True,
        help_text="As the text calls it; “Visit (kind not stated)” when it does not say.",
    )
    occurrence = models.CharField(
        max_length=10,
        choices=Occurrence,
        default=Occurrence.HELD,
        db_default=Occurrence.HELD,
        help_text=(
            "Held: the text reports it as having taken place. Announced or planned: an "
            "invitation, an “upcoming summit”; never record a plan as an event held."
        ),
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    session_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Number of the session within its body."
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        help_text=(
            "The meeting that contains this one. A visit and a session held during it are two "
            "meetings: the session's Parent is the visit (a state visit contains a council "
            "session, a signing ceremony)."
        ),
    )
    start_date = models.DateField(null=True, blank=True, db_index=True)
    start_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Empty when the text does not say when it ended; never the last day it covers.",
    )
    end_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    # Entered once, as the participating country with role Host (MeetingCountry); kept here,
    # derived from it, for the lists, filters and the API's `host_country`.
    host_country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        help_text="The participating country with role Host; not entered separately.",
    )
    city = models.CharField(max_length=100, blank=True)
    countries = models.ManyToManyField(
        Country, through="MeetingCountry", related_name="meetings", blank=True
    )
    persons = models.ManyToManyField(
        Person, through="MeetingPerson", related_name="meetings", blank=True
    )
    formats = models.JSONField(
        default=list, blank=True, help_text="One-on-one, narrow, expanded, press conference."
    )
    sectors = models.ManyToManyField(Sector, related_name="meetings", blank=True)
    summary = models.TextField(blank=True)
    citations = GenericRelation("records.Citation")
    history = HistoricalRecords(m2m_fields=[sectors])

    search_fields = ("title", "summary", "city")
    # Records found by the names of the records they involve (records/search.word_matches).
    search_related = ("persons", "countries", "body")
    search_date = "start_date"

    class Meta:
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="meeting_end_not_before_start",
                violation_error_message="A meeting cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["body", "session_number"],
                condition=Q(body__isnull=False, session_number__isnull=False),
                name="meeting_session_number_unique_in_body",
                violation_error_message="This body already has a session with that number.",
            ),
            models.CheckConstraint(
                condition=Q(session_number__isnull=True) | Q(body__isnull=False),
                name="meeting_session_number_needs_body",
                violation_error_message="A session number needs the body it belongs to.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="meeting_not_its_own_parent",
                violation_error_message="A meeting cannot contain itself.",
            ),
        ]
        indexes = [changes_index("meeting"), kind_facet_index("meeting")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return detail_url("meeting-detail", "slug", self.slug)

    def clean(self) -> None:
        super().clean()
        errors = {}
        allowed = set(self.Format.values)
        if not isinstance(self.formats, list) or not set(self.formats) <= allowed:
            errors["formats"] = f"Formats must be a list of: {', '.join(sorted(allowed))}."
        if self.parent_id is not None and self.pk is not None:
            ancestor, seen = self.parent, {self.pk}
            while ancestor is not None:
                if ancestor.pk in seen:
                    errors["parent"] = "A meeting cannot be contained in itself."
                    break
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
        if errors:
            raise ValidationError(errors)

    @property
    def date_display(self) -> str:
        start = format_partial_date(self.start_date, self.start_precision)
        if self.end_date and self.end_date != self.start_date:
            return f"{start} – {format_partial_date(self.end_date, self.end_precision)}"
        return start

    @staticmethod
    def host_among(rows: Iterable[tuple[Country | int | None, str]]) -> Country | int | None:
        """The host country among (country, role) rows of participation: the one row with
        role Host, None without one. Two hosts are refused: the meeting has one host."""
        hosts = [country for country, role in rows if role == MeetingCountry.Role.HOST]
        if len(hosts) > 1:
            raise ValidationError(
                "A meeting has one host country: mark the other countries Guest or Participant."
            )
        return hosts[0] if hosts else None

    def host_as_participant(self) -> None:
        """Make the host country what the admin enters it as: a participating country with
        role Host (for writers that set `host_country` itself: the import review)."""
        if self.host_country_id is None:
            return
        row, created = self.participations.get_or_create(
            country_id=self.host_country_id, defaults={"role": MeetingCountry.Role.HOST}
        )
        if not created and row.role != MeetingCountry.Role.HOST:
            row.role = MeetingCountry.Role.HOST
            row.save(update_fields=["role"])

    def get_formats_display(self) -> list[str]:
        labels = dict(self.Format.choices)
        return [labels.get(value, value) for value in self.formats]


class MeetingCountry(models.Model):
    class Role(models.TextChoices):
        HOST = "host", "Host"
        GUEST = "guest", "Guest"
        PARTICIPANT = "participant", "Participant"
        MEDIATOR = "mediator", "Mediator"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role, default=Role.PARTICIPANT)

    objects = PartQuerySet.as_manager()
    visible_through = ("meeting",)

    class Meta:
        verbose_name = "participating country"
        verbose_name_plural = "participating countries"
        # "Meetings of this country" reads only this index (the unique one starts with meeting).
        indexes = [models.Index(fields=["country", "meeting"], name="meeting_country_by_country")]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "country"], name="meeting_country_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} ({self.get_role_display()})"


class MeetingPerson(models.Model):
    class Role(models.TextChoices):
        PRINCIPAL = "principal", "Principal"
        PARTICIPANT = "participant", "Participant"
        MEDIATOR = "mediator", "Mediator"
        MENTIONED = "mentioned", "Mentioned"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    role = models.CharField(max_length=20, choices=Role, default=Role.PRINCIPAL)

    objects = PartQuerySet.as_manager()
    visible_through = ("meeting", "person")

    class Meta:
        verbose_name = "participating person"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="meeting_person_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


register(Meeting, plural="meetings", label="Meetings", position=10)
register(Body, plural="bodies", label="Bodies", position=50, title_field="name", reference=True)
register(
    Person, plural="persons", label="Persons", position=60, title_field="name", reference=True
)
register(
    Organization,
    plural="organizations",
    label="Organizations",
    position=70,
    title_field="name",
    reference=True,
)
register_reference(Country, fixed=True, plural="countries", label="Countries", position=55)
register_reference(Sector)
register_part(Office, owner="person")
register_part(MeetingCountry, owner="meeting")
register_part(MeetingPerson, owner="meeting")
