from django.db.models import QuerySet

from records.api.viewsets import RecordViewSet, own_fields
from records.excerpts import shown_texts
from records.filters import SourceFilter
from records.models import Source
from records.serializers import SourceDetailSerializer, SourceSerializer


class SourceViewSet(RecordViewSet):
    """Sources; lists and exports leave out the full text, which the detail carries."""

    model = Source
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    # Researchers downloading everything want the texts the quotes point into.
    dataset_serializer_class = SourceDetailSerializer

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SourceDetailSerializer
        return super().get_serializer_class()

    def with_relations(self, qs: QuerySet) -> QuerySet:
        if self.action in {"retrieve", "dataset"}:
            return qs.only(*own_fields(Source))
        return qs.defer("text", "seeded", "analyst_edited")

    def computed_fields(self) -> dict:
        """SourceDetailSerializer's text and excerpts for a chunk of sources, in one pass."""

        last: dict = {}

        def texts(ids: list[int]) -> dict:
            # Both fields of a chunk from one computation.
            key = tuple(ids)
            if last.get("key") != key:
                last.update(key=key, value=shown_texts(ids, self.staff))
            return last["value"]

        def shown(name: str):
            return lambda ids: {pk: value[name] for pk, value in texts(ids).items()}

        return {"text": shown("text"), "excerpts": shown("excerpts")}
