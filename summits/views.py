from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from summits.models import Body, Country, Meeting, Organization, Person


class PublishedMixin:
    """Public pages start from published(); staff previews see drafts."""

    template_name = "records/detail.html"

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class MeetingListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Meeting
    paginate_by = 50
    queryset = Meeting.objects.select_related("host_country", "body")


class MeetingDetailView(PublishedMixin, DetailView):
    model = Meeting
    queryset = Meeting.objects.select_related("host_country", "body", "parent")


class PersonListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Person
    paginate_by = 50
    queryset = Person.objects.select_related("country")


class PersonDetailView(PublishedMixin, DetailView):
    model = Person
    queryset = Person.objects.select_related("country")


class OrganizationListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Organization
    paginate_by = 50
    queryset = Organization.objects.select_related("country")


class OrganizationDetailView(PublishedMixin, DetailView):
    model = Organization
    queryset = Organization.objects.select_related("country")


class BodyListView(PublishedMixin, ListView):
    template_name = "records/list.html"
    model = Body
    paginate_by = 50


class BodyDetailView(PublishedMixin, DetailView):
    model = Body


class CountryListView(ListView):
    template_name = "records/list.html"
    model = Country


class CountryDetailView(DetailView):
    template_name = "records/detail.html"
    model = Country

    def get_object(self, queryset=None):
        code = self.kwargs["code"]
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise Http404("No country has that code.")
        return get_object_or_404(Country, code=code.upper())
