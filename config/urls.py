from django.contrib import admin
from django.urls import include, path

from config import api
from config.views import healthz

handler404 = "config.views.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api.urlpatterns, "api"), namespace="api")),
    path("", include("pages.urls")),
    path("", include("summits.urls")),
    path("", include("agreements.urls")),
]
