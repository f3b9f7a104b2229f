import django_filters as filters

from seeds.models import Source
from summits.filters import OrderingFilter, RecordFilterSet, YearFilter


class SourceFilter(RecordFilterSet):
    publisher = filters.CharFilter(lookup_expr="iexact", max_length=200, label="Publisher")
    language = filters.CharFilter(lookup_expr="iexact", max_length=10, label="Language")
    year = YearFilter(field_name="published_on", lookup_expr="year", label="Year")
    date_from = filters.DateFilter(field_name="published_on", lookup_expr="gte", label="From")
    date_to = filters.DateFilter(field_name="published_on", lookup_expr="lte", label="To")
    ordering = OrderingFilter(
        fields=(("published_on", "date"), ("title", "title"), ("updated_at", "updated")),
        help_text="date, title or updated; prefix with - for descending.",
    )

    class Meta:
        model = Source
        fields = []

    def filter_source(self, qs, name, value):
        return qs.filter(slug=value)
