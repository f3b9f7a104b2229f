from django.contrib import admin
from django.urls import include, path

from config.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("summits.urls")),
    path("", include("agreements.urls")),
    path("", include("seeds.urls")),
]
