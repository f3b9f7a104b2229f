from django.views.generic import DetailView, ListView

from agreements.models import Document, Package, Project
from summits.views import PublishedMixin


class DocumentListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Document
    paginate_by = 50
    queryset = Document.objects.select_related("meeting", "package")


class DocumentDetailView(PublishedMixin, DetailView):
    model = Document
    queryset = Document.objects.select_related("meeting", "package", "place_country")


class PackageListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Package
    paginate_by = 50
    queryset = Package.objects.select_related("meeting")


class PackageDetailView(PublishedMixin, DetailView):
    model = Package
    queryset = Package.objects.select_related("meeting")


class ProjectListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Project
    paginate_by = 50
    queryset = Project.objects.select_related("location_country")


class ProjectDetailView(PublishedMixin, DetailView):
    model = Project
    queryset = Project.objects.select_related("location_country")
