from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The public pages that span every kind of record: home, search, about, countries, the
    relations of a pair, sources. They sit on top of the domain apps and read all of them."""

    name = "pages"
    verbose_name = "Public pages"
