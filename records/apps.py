from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """What every record kind shares: the abstract record, provenance (sources and their
    quotes), the visibility rule, search, lists, the API base, the admin base and roles."""

    name = "records"
    verbose_name = "Sources and quotes"

    def ready(self) -> None:
        # Every database connection raises the data version on a content write (records/cache.py).
        from records import cache, tracking

        cache.install()
        # Every write of a content model is reported in the change feed (records/tracking.py).
        tracking.install()
