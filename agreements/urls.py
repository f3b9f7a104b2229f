from django.urls import path

from agreements import views

urlpatterns = [
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path("documents/<slug:slug>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("packages/", views.PackageListView.as_view(), name="package-list"),
    path("packages/<slug:slug>/", views.PackageDetailView.as_view(), name="package-detail"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/<slug:slug>/", views.ProjectDetailView.as_view(), name="project-detail"),
]
