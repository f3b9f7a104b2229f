from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from summits.input_checks import text_problem
from summits.search import matching_ids, query_words


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class EditorialStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def format_partial_date(value: dt.date | None, precision: str) -> str:
    """'21 Oct 2025', 'Oct 2025' or '2025': no more exact than the source allows."""
    if value is None:
        return "date unknown"
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return value.strftime("%b %Y")
    return f"{value.day} {value.strftime('%b %Y')}"


def list_of_strings(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Enter a list of names.")
    if any(text_problem(item) for item in value):
        raise ValidationError("A name contains a NUL character or a lone surrogate.")


class RecordQuerySet(models.QuerySet):
    def published(self) -> RecordQuerySet:
        return self.filter(status=EditorialStatus.PUBLISHED)

    def search(self, query: str) -> RecordQuerySet:
        """Records with every word of the query at the start of a word of their own text (the
        model's `search_fields`) or of a quote cited for them; the one search entry point for
        the API and the public pages, on a full-text index of either database (summits/search.py).
        A query with no letters or digits finds nothing; an empty one leaves the records as
        they are."""
        words = query_words(query)
        if not words:
            return self if not query.strip() else self.none()
        results = self
        for word in words:
            results = results.filter(pk__in=matching_ids(self.model, word, using=self.db))
        return results

    def visible_to(self, user: settings.AUTH_USER_MODEL | None) -> RecordQuerySet:
        """Staff see drafts too; everyone else sees what is published."""
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published()


class SeedTracked(models.Model):
    """What `manage.py seed` wrote, so that a re-seed can tell an analyst's edit from its own.

    `seeded` holds, per field, the value the seed last wrote; `analyst_edited` names the fields
    an analyst changed in the admin. A re-seed leaves both kinds of field alone and reports them.
    """

    seeded = models.JSONField(
        "seeded values",
        default=dict,
        blank=True,
        editable=False,
        help_text="The values the seed last wrote, field by field.",
    )
    analyst_edited = models.JSONField(
        "fields edited by analysts",
        default=list,
        blank=True,
        editable=False,
        help_text="Fields an analyst changed; the seed never overwrites them.",
    )

    class Meta:
        abstract = True

    def mark_analyst_edited(self, field_names: list[str] | set[str]) -> None:
        self.analyst_edited = sorted(set(self.analyst_edited) | set(field_names))


def changes_index(name: str) -> models.Index:
    """(status, updated_at): a list's count and newest change, which every uncached list page
    asks for (config/api_support.RecordViewSet.validators), read from this index alone instead
    of every row: 25 -> 5 ms for 100,000 published meetings on SQLite and on PostgreSQL."""
    return models.Index(fields=["status", "updated_at"], name=f"{name}_changes")


def kind_facet_index(name: str) -> models.Index:
    """(status, kind): the public list's kind facet counted from this index alone; through
    the kind index with a row lookup each, it cost 93 ms for 100,000 meetings on SQLite."""
    return models.Index(fields=["status", "kind"], name=f"{name}_kind_facet")


class EditVersioned(models.Model):
    """A row analysts edit in the admin: every save raises its version, and a change form
    rendered with an older version is refused (summits/admin_base.VersionedForm)."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every save; a save based on an older version is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)


class Record(EditVersioned, SeedTracked):
    """A content record: editorial status, stable slug, timestamps and an edit version."""

    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="Stable identifier used in URLs; never reused for another record.",
    )
    status = models.CharField(
        "editorial status",
        max_length=10,
        choices=EditorialStatus,
        default=EditorialStatus.DRAFT,
        db_index=True,
        help_text="Only published records reach the public pages and the API.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == EditorialStatus.PUBLISHED


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

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("country-detail", kwargs={"code": self.code.lower()})

    @property
    def slug(self) -> str:
        return self.code.lower()


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
    citations = GenericRelation("seeds.Citation")
    history = HistoricalRecords()

    search_fields = ("name", "aliases", "summary")

    class Meta:
        ordering = ["name"]
        indexes = [changes_index("person")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("person-detail", kwargs={"slug": self.slug})


class Office(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="offices")
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
    citations = GenericRelation("seeds.Citation")
    history = HistoricalRecords()

    search_fields = ("name", "aliases", "summary")

    class Meta:
        ordering = ["name"]
        indexes = [changes_index("organization")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization-detail", kwargs={"slug": self.slug})


class Body(Record):
    """A standing mechanism between states, meeting in numbered sessions."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        COMMISSION = "commission", "Commission"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.COUNCIL)
    members = models.ManyToManyField(Country, related_name="bodies", blank=True)
    summary = models.TextField(blank=True)
    citations = GenericRelation("seeds.Citation")
    history = HistoricalRecords()

    search_fields = ("name", "summary")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"
        indexes = [changes_index("body")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("body-detail", kwargs={"slug": self.slug})


class DatedMixin(models.Model):
    """A date as precise as the text allows, as the text wrote it, and how its year is known."""

    date_text = models.CharField(
        "date as written", max_length=200, blank=True, help_text='Verbatim: "October 21".'
    )
    year_inferred = models.BooleanField(
        default=False, help_text="The text omits the year; it follows from other facts."
    )
    inference = models.TextField(
        "how the year was inferred", blank=True, help_text="Which facts fix the year."
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.year_inferred and not self.inference.strip():
            raise ValidationError({"inference": "Say from what the year was inferred."})


class Meeting(DatedMixin, Record):
    class Kind(models.TextChoices):
        STATE_VISIT = "state_visit", "State visit"
        OFFICIAL_VISIT = "official_visit", "Official visit"
        WORKING_VISIT = "working_visit", "Working visit"
        SUMMIT = "summit", "Summit"
        BODY_SESSION = "body_session", "Session of a body"
        TALKS = "talks", "Talks"
        CEREMONY = "ceremony", "Ceremony"

    class Format(models.TextChoices):
        ONE_ON_ONE = "one_on_one", "One-on-one"
        NARROW = "narrow", "Narrow format"
        EXPANDED = "expanded", "Expanded format"
        PRESS_CONFERENCE = "press_conference", "Press conference"

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind, db_index=True)
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
        help_text="The meeting that contains this one: a state visit contains a council session.",
    )
    start_date = models.DateField(null=True, blank=True, db_index=True)
    start_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    end_date = models.DateField(null=True, blank=True)
    end_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    host_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="hosted_meetings"
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
    citations = GenericRelation("seeds.Citation")
    history = HistoricalRecords(m2m_fields=[sectors])

    search_fields = ("title", "summary", "city")

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
        return reverse("meeting-detail", kwargs={"slug": self.slug})

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

    class Meta:
        verbose_name = "participating person"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="meeting_person_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"
