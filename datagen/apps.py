from django.apps import AppConfig


class DatagenConfig(AppConfig):
    """Synthetic data for benchmarks and scale tests (`manage.py generate_data`): tooling,
    kept apart from the domain code it fills."""

    name = "datagen"
    verbose_name = "Synthetic data"
