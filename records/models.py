from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from rapidfuzz.distance import DamerauLevenshtein
from simple_history.models import HistoricalRecords

from records.input_checks import text_problem
from records.links import detail_url
from records.registry import register, register_part
from records.search import query_terms, word_matches
from records.slugs import FormerSlug
from records.visibility import published_lookup, sees_drafts


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

    def search(self, query: str, viewer) -> RecordQuerySet:
        """Records with every word of the query at the start of a word of their own text (the
        model's `search_fields`), of a quote cited for them, or of the name of a record they
        involve (`search_related`), or naming their year (records/search.word_matches); the
        one search entry point for the API and the public pages, on a full-text index of either
        database (records/search.py). Within a fixed budget: single characters are not
        searched for, words shorter than three letters match whole words, and the first four
        words count (query_terms). Quotes count only where `viewer` may see their source. A
        query with nothing left to search for finds nothing; an empty one leaves the records
        as they are."""
        terms = query_terms(query)
        if not terms:
            return self if not query.strip() else self.none()
        drafts = sees_drafts(viewer)
        results = self
        for term in terms:
            found = word_matches(self.model, term, using=self.db, viewer=viewer, drafts=drafts)
            results = results.filter(found)
        return results

    def drafts_by(self, user) -> RecordQuerySet:
        """Drafts that `user` created or edited (their history names them): the admin index's
        "my drafts". Nothing for a user with no id."""
        edited = self.model.history.filter(history_user_id=user.pk).values("id")
        return self.filter(status=EditorialStatus.DRAFT, pk__in=edited)

    def visible_to(self, viewer) -> RecordQuerySet:
        """The records `viewer` may see (records/visibility.py): drafts for staff only."""
        return self.all() if sees_drafts(viewer) else self.published()


class PartQuerySet(models.QuerySet):
    """Rows inside records (a meeting's countries and persons, a document's parties and
    status events, a project's milestones): visible when every record they link is.

    The model names those links in `visible_through` ("meeting", "person"); a row of a
    published meeting with a draft person stays hidden, like the person."""

    def visible_to(self, viewer) -> PartQuerySet:
        if sees_drafts(viewer):
            return self.all()
        return self.filter(**published_lookup(*self.model.visible_through))


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
    asks for (records/api/viewsets.RecordViewSet.validators), read from this index alone
    instead of every row (docs/scaling.md)."""
    return models.Index(fields=["status", "updated_at"], name=f"{name}_changes")


def kind_facet_index(name: str) -> models.Index:
    """(status, kind): the public list's kind facet counted from this index alone, not
    through the kind index with a row lookup each (docs/scaling.md)."""
    return models.Index(fields=["status", "kind"], name=f"{name}_kind_facet")


class EditVersioned(models.Model):
    """A row analysts edit in the admin: every save raises its version, and a change form
    rendered with an older version is refused (records/admin_base.VersionedForm)."""

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

    # Where a search matched, set on a list page's rows by ListView.with_snippets; every row's
    # template reads it, and a missing attribute costs Django's templates a dir() of the
    # instance for each row.
    search_snippet = ""

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == EditorialStatus.PUBLISHED

    def clean(self) -> None:
        super().clean()
        # An old address must keep leading to the record that had it (records/slugs.py).
        if self.slug:
            retired = FormerSlug.objects.filter(
                content_type=ContentType.objects.get_for_model(type(self)), slug=self.slug
            )
            if self.pk is not None:
                # Its own former slug: renamed back, which the rename service allows.
                retired = retired.exclude(object_id=self.pk)
            if retired.exists():
                raise ValidationError(
                    {
                        "slug": (
                            f"“{self.slug}” was the slug of another "
                            f"{self._meta.verbose_name}; its old links lead there. "
                            "Choose another."
                        )
                    }
                )


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


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_quote(text: str, quote: str, occurrence: int = 1) -> int:
    """Offset of the nth verbatim occurrence of quote in text, or -1."""
    if not quote:
        return -1
    start = -1
    for _ in range(max(occurrence, 1)):
        start = text.find(quote, start + 1)
        if start < 0:
            return -1
    return start


class TextUse(models.TextChoices):
    """What a source's licence lets Pacta republish of its text."""

    FULL = "full", "Full text may be republished"
    # Press texts by default: the cited passages, each with a sentence of context, and a link.
    QUOTES = "quotes", "Quotes only"


class Source(DatedMixin, Record):
    """A news text, stored verbatim: every citation points into it by character offsets."""

    title = models.CharField(max_length=500)
    publisher = models.CharField(
        max_length=200, blank=True, help_text="Empty when the text does not name its publisher."
    )
    author = models.CharField(max_length=200, blank=True)
    dateline = models.CharField(max_length=200, blank=True, help_text='"Astana, October 21".')
    published_on = models.DateField("publication date", null=True, blank=True, db_index=True)
    published_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    language = models.CharField(max_length=10, default="en", help_text="BCP 47 code: en, ru.")
    url = models.URLField("URL", max_length=1000, blank=True)
    filename = models.CharField(
        max_length=200, blank=True, help_text="The file under seeds/texts/ it was loaded from."
    )
    text = models.TextField(help_text="The article's full text, verbatim. Never edit it.")
    text_use = models.CharField(
        "republishing",
        max_length=10,
        choices=TextUse,
        default=TextUse.QUOTES,
        help_text=(
            "Whether the public page and API may show the whole text, or only the cited "
            "passages with a sentence of context and the link to the original."
        ),
    )
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        unique=True,
        blank=True,
        editable=False,
        help_text="Of the UTF-8 text; the same text is never stored twice.",
    )
    # The tables keep the names they had in the seeds app (records 0001 moved the models).
    history = HistoricalRecords(excluded_fields=["text"], table_name="seeds_historicalsource")

    search_fields = ("title", "publisher", "author", "text")
    search_date = "published_on"

    class Meta:
        db_table = "seeds_source"
        ordering = ["-published_on", "title"]
        indexes = [
            changes_index("source"),
            # The source picker of the lists' filter forms (records/listing.picker_choices):
            # the first 300 published sources by title, read in this order instead of
            # sorting every source (20,000 at scale: 10 ms after each save, docs/scaling.md).
            models.Index(fields=["status", "title", "slug"], name="source_picker_order"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}" if self.publisher else self.title

    def save(self, *args, **kwargs) -> None:
        self.sha256 = text_sha256(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return detail_url("source-detail", "slug", self.slug)

    def clean(self) -> None:
        super().clean()
        self.sha256 = text_sha256(self.text)
        duplicate = Source.objects.filter(sha256=self.sha256).exclude(pk=self.pk).first()
        if duplicate is not None:
            message = f"This text is already stored as source “{duplicate}” ({duplicate.slug})."
            raise ValidationError({"text": message})

    @property
    def date_display(self) -> str:
        return format_partial_date(self.published_on, self.published_precision)


# What the analyst never cites a quote for: bookkeeping, editorial state, and how a fact is
# known or written (the basis, the date's precision and wording), which go with their fact.
NOT_FACTS = frozenset(
    {
        "id",
        "version",
        "seeded",
        "analyst_edited",
        "slug",
        "created_at",
        "updated_at",
        "basis",
        "inference",
        "year_inferred",
        "date_text",
    }
)


def citable_fields(model: type[models.Model]) -> dict[str, str]:
    """The facts of `model` a quote can support, name → label: its own fields, its lists (its
    many-to-many fields and the rows that point at it, as a project's milestones) and the
    short names its `basis_facts` accept ("date" for a meeting's start date). A record's
    editorial status is not a fact; a status event's status is."""
    result: dict[str, str] = {}
    lists: dict[str, str] = {}
    through = {
        f.remote_field.through
        for f in model._meta.many_to_many
        if getattr(f.remote_field, "through", None) is not None
    }
    editorial = {"status"} if issubclass(model, Record) else set()
    for f in model._meta.get_fields():
        if f.name in NOT_FACTS or f.name in editorial or f.name.endswith("precision"):
            continue
        if f.one_to_many and f.auto_created:
            if f.related_model in through or f.related_model is Citation:
                continue
            lists[f.get_accessor_name()] = str(f.related_model._meta.verbose_name_plural)
        elif f.concrete and f.editable and not f.primary_key:
            result[f.name] = str(f.verbose_name)
        elif f.many_to_many and not f.auto_created:
            lists[f.name] = str(f.verbose_name)
    result |= lists
    for fact, names in getattr(model, "basis_facts", {}).items():
        for name in names:
            if name and name not in result and fact in result:
                result[name] = f"{result[fact]} (short name)"
    return result


def mapped_field(value: str, facts: Iterable[str]) -> str | None:
    """The fact a stored field name that is none of `facts` most likely meant, or None: the same
    name in other capitals or spacing ("Start date" → "start_date"), or the one fact one typo
    away ("ctiy" → "city"; two typos for names of eight letters or more)."""
    facts = list(facts)
    normal = re.sub(r"[\s-]+", "_", value.strip().casefold())
    if normal in facts:
        return normal
    allowed = 2 if len(normal) >= 8 else 1
    near = [f for f in facts if DamerauLevenshtein.distance(normal, f) <= allowed]
    return near[0] if len(near) == 1 else None


class CitationQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> CitationQuerySet:
        """Quotes from sources `viewer` may see. The record a quote supports passes its own
        gate wherever it is shown (a prefetch of a visible record's citations, the source
        page's `cited_record`)."""
        if sees_drafts(viewer):
            return self.all()
        return self.filter(**published_lookup("source"))


class Citation(EditVersioned):
    """A verbatim quote in a source that supports a record, or one fact of it."""

    # `source.passages`: the quotes taken from a source. (A record's `citations` are the
    # quotes that support it; a source is cited, never citing.)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="passages")
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, help_text="The kind of record cited."
    )
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "The fact the quote supports, one of the cited record's fields (date, city, "
            "status…); empty for the whole record."
        ),
    )
    quote = models.TextField(help_text="Copied verbatim from the source text.")
    occurrence = models.PositiveSmallIntegerField(
        default=1, help_text="Which occurrence of the quote, when it appears more than once."
    )
    start = models.PositiveIntegerField(editable=False, help_text="Character offset of the quote.")
    end = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(table_name="seeds_historicalcitation")

    objects = CitationQuerySet.as_manager()

    class Meta:
        db_table = "seeds_citation"
        ordering = ["source", "start", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="citation_record")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="citation_offsets_in_order"
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{quote}” ({self.source.publisher})"

    def save(self, *args, **kwargs) -> None:
        self.locate()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.source_id is None or not self.quote:
            return
        self.locate()

    def locate(self) -> None:
        """Fill in the offsets, or refuse a quote the source does not contain verbatim."""
        start = find_quote(self.source.text, self.quote, self.occurrence)
        if start < 0:
            raise ValidationError(
                {
                    "quote": (
                        f"The quote “{self.quote}” is not found verbatim in source "
                        f"“{self.source.slug}”. Copy it exactly from the text."
                    )
                }
            )
        self.start, self.end = start, start + len(self.quote)


register(Source, plural="sources", label="Sources", position=80)
register_part(Citation, owner="record")

# The change feed's tables live in records/changes.py; importing them here registers them.
from records.changes import Change, ChangeFeed, PublishedState  # noqa: E402, F401
