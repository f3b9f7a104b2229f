"""The detail page every record kind shares: the record, each fact with its quotes, a
citation to paste or download (`?cite=bibtex`, `?cite=csl-json`), and its JSON. Lists share
`records.listing.FacetedListView`."""

from __future__ import annotations

import datetime as dt

from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
)
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from records.changes import latest_change
from records.citing import (
    CITE_FORMATS,
    QuoteIndex,
    RecordCitation,
    citations_prefetch,
    record_citation,
)
from records.listing import PublishedMixin, api_url
from records.prefetching import get_one, prefetch_one
from records.slugs import moved_record, with_query
from records.visibility import sees_drafts


class RecordDetailView(PublishedMixin, DetailView):
    """A record with its facts, each fact with its quotes, a citation to paste, and its JSON."""

    api_basename = ""
    # What the page reads of its address (records/cache.known_params): the citation format.
    query_params = ("cite",)
    # Facts the page shows in its table: their quotes sit beside them, the rest below.
    shown_facts: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # An address the record had before an Editor changed its slug: moved for good.
            slug = kwargs.get(self.slug_url_kwarg, "")
            record = moved_record(self.get_queryset().model, slug, request.user)
            if record is None:
                raise
            url = with_query(record.get_absolute_url(), request.META.get("QUERY_STRING", ""))
            return HttpResponsePermanentRedirect(url)

    def get_queryset(self):
        return self.with_related(super().get_queryset(), self.request.user)

    def get_object(self, queryset=None):
        """The record by its slug, then its related rows, from queries compiled once per
        process for this page and audience (records/prefetching.py): `get_queryset` and
        `with_related` depend on nothing else."""
        queryset = self.get_queryset() if queryset is None else queryset
        slug = self.kwargs.get(self.slug_url_kwarg)
        if slug is None or self.kwargs.get(self.pk_url_kwarg) is not None:
            return super().get_object(queryset)
        key = (type(self), sees_drafts(self.request.user))
        lookups = queryset._prefetch_related_lookups
        try:
            record = get_one(queryset.prefetch_related(None), self.get_slug_field(), slug, key=key)
        except queryset.model.DoesNotExist:
            raise Http404(
                _("No %(verbose_name)s found matching the query")
                % {"verbose_name": queryset.model._meta.verbose_name}
            ) from None
        prefetch_one(record, lookups, key=key)
        return record

    def with_related(self, queryset, user):
        return queryset.prefetch_related(citations_prefetch(user))

    def record_citations(self):
        return self.object.citations.all()

    def render_to_response(self, context, **response_kwargs):
        """The page, or with ?cite= its citation as a file to download."""
        chosen = self.request.GET.get("cite")
        if chosen is None:
            return super().render_to_response(context, **response_kwargs)
        if chosen not in CITE_FORMATS:
            return HttpResponseBadRequest(
                f"cite must be one of: {', '.join(CITE_FORMATS)}.",
                content_type="text/plain; charset=utf-8",
            )
        content_type, extension, render = CITE_FORMATS[chosen]
        response = HttpResponse(render(context["citation"]), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="pacta-{self.object.slug}.{extension}"'
        )
        return response

    def citation(self) -> RecordCitation:
        record = self.object
        return record_citation(
            record,
            url=self.request.build_absolute_uri(record.get_absolute_url()),
            accessed=dt.date.today(),
            data_version=latest_change(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        citation = self.citation()
        context.update(
            quotes=QuoteIndex(self.record_citations(), self.shown_facts),
            json_url=api_url(f"{self.api_basename}-detail", slug=record.slug),
            citation=citation,
            cite_text=citation.as_text(),
            cite_bibtex=citation.as_bibtex(),
            cite_downloads=[
                ("BibTeX", "?cite=bibtex", f"pacta-{record.slug}.bib"),
                ("CSL-JSON", "?cite=csl-json", f"pacta-{record.slug}.json"),
            ],
            record_url=citation.url,
            record_kind=citation.kind,
        )
        return context
