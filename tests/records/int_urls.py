"""A URLconf whose route takes only digits (tests/records/test_links.py)."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("numbered/<int:pk>/", lambda request, pk: HttpResponse(), name="numbered")]
