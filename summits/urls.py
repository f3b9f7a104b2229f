from django.urls import path, re_path

from summits import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("persons/", views.PersonListView.as_view(), name="person-list"),
    path("persons/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("organizations/", views.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("bodies/", views.BodyListView.as_view(), name="body-list"),
    path("bodies/<slug:slug>/", views.BodyDetailView.as_view(), name="body-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    # Two ISO codes; anything else is not a pair and falls through to the 404 page.
    re_path(
        r"^relations/(?P<first>[A-Za-z]{2})-(?P<second>[A-Za-z]{2})/$",
        views.PairView.as_view(),
        name="pair-detail",
    ),
]
