from pathlib import Path

import pytest
from django.core.management import call_command

from seeds.load import seed

MINI_RECORDS = Path(__file__).parent / "seeds" / "data" / "mini.yaml"


@pytest.fixture
def seeded(db):
    """The database as `manage.py seed` leaves it: the five texts and every curated record."""
    return seed()


@pytest.fixture
def mini_seeded(db):
    """Two texts and a handful of records: quicker, for tests of the loader's behaviour."""
    return seed(records_path=MINI_RECORDS)


@pytest.fixture
def run_seed():
    def run(*args: str) -> str:
        from io import StringIO

        out = StringIO()
        call_command("seed", *args, stdout=out)
        return out.getvalue()

    return run
