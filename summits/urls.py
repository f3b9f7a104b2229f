from django.urls import path

from summits import views

urlpatterns = [
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
]
