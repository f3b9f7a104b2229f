from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Documents, packages and projects"

    def ready(self) -> None:
        from agreements import embeds

        embeds.install()
