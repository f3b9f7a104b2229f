from django.contrib.admin.apps import AdminConfig


class PactaAdminConfig(AdminConfig):
    """Django's admin, with Pacta's site class (two-factor authentication in production).

    Kept apart from the site itself, which imports models and so cannot load this early.
    """

    default_site = "config.admin_site.PactaAdminSite"

    def ready(self) -> None:
        super().ready()
        # After autodiscovery registered django-otp's device admins, which it replaces.
        from config import accounts_admin  # noqa: F401
