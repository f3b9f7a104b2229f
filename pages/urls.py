from django.urls import path, re_path

from pages import countries, home, sources

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("search/", home.SearchView.as_view(), name="search"),
    path("about/", home.AboutView.as_view(), name="about"),
    path(
        "about/editorial-policy/",
        home.EditorialPolicyView.as_view(),
        name="editorial-policy",
    ),
    path("countries/", countries.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", countries.CountryDetailView.as_view(), name="country-detail"),
    # Two ISO codes; anything else is not a pair and falls through to the 404 page.
    re_path(
        r"^relations/(?P<first>[A-Za-z]{2})-(?P<second>[A-Za-z]{2})/$",
        countries.PairView.as_view(),
        name="pair-detail",
    ),
    path("sources/", sources.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", sources.SourceDetailView.as_view(), name="source-detail"),
]
