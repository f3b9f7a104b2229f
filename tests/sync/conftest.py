import pytest


@pytest.fixture
def live_seeded(django_db_serialized_rollback, transactional_db):
    """The seed, committed so the live server's threads see it (as tests/browser/conftest.py
    does: a transactional test flushes the database when it ends, so the ISO countries may
    need reloading by their migration's function first)."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from seeds.load import seed
    from summits.models import Country

    if not Country.objects.exists():
        ContentType.objects.clear_cache()
        import_module("summits.migrations.0002_load_iso_countries").load_countries(apps, None)
    return seed()
