from django.views.generic import DetailView, ListView

from seeds.models import Source
from summits.views import PublishedMixin


class SourceListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Source
    paginate_by = 50
    queryset = Source.objects.defer("text")


class SourceDetailView(PublishedMixin, DetailView):
    model = Source
