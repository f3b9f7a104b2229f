"""The detail page every record kind shares: the record, each fact with its quotes, a
citation to paste, and its JSON. Lists share `records.listing.FacetedListView`."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponsePermanentRedirect
from django.views.generic import DetailView

from records.citing import QuoteIndex, citations_prefetch
from records.listing import PublishedMixin, api_url
from records.slugs import moved_record, with_query


class RecordDetailView(PublishedMixin, DetailView):
    """A record with its facts, each fact with its quotes, a citation to paste, and its JSON."""

    api_basename = ""
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

    def with_related(self, queryset, user):
        return queryset.prefetch_related(citations_prefetch(user))

    def record_citations(self):
        return self.object.citations.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        url = self.request.build_absolute_uri(record.get_absolute_url())
        accessed = dt.date.today().isoformat()
        title = str(record)
        kind = record._meta.verbose_name
        context.update(
            quotes=QuoteIndex(self.record_citations(), self.shown_facts),
            json_url=api_url(f"{self.api_basename}-detail", slug=record.slug),
            cite_text=f'Pacta. "{title}." {kind.capitalize()}. {url} (accessed {accessed}).',
            cite_bibtex=(
                f"@misc{{pacta-{record.slug},\n"
                f"  title = {{{title}}},\n"
                f"  howpublished = {{Pacta, {kind}}},\n"
                f"  url = {{{url}}},\n"
                f"  note = {{Accessed {accessed}}}\n}}"
            ),
            record_url=url,
            record_kind=kind,
        )
        return context
