"""The settings' readers of the environment, called directly: every switch of
config/settings.py goes through them (the switches themselves are pinned in
test_readme_numbers.py and, through a real start-up, in test_settings.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.settings import env_bool, env_list, with_parallel_workers


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "On"])
def test_a_true_spelling_is_true_whatever_the_default(monkeypatch, value):
    monkeypatch.setenv("PACTA_SWITCH", value)
    assert env_bool("PACTA_SWITCH", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", " no ", "OFF"])
def test_a_false_spelling_is_false_whatever_the_default(monkeypatch, value):
    monkeypatch.setenv("PACTA_SWITCH", value)
    assert env_bool("PACTA_SWITCH", True) is False


@pytest.mark.parametrize("value", [None, "", "   "])
@pytest.mark.parametrize("default", [True, False])
def test_unset_or_blank_takes_the_default(monkeypatch, value, default):
    monkeypatch.delenv("PACTA_SWITCH", raising=False)
    if value is not None:
        monkeypatch.setenv("PACTA_SWITCH", value)
    assert env_bool("PACTA_SWITCH", default) is default


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled"])
def test_anything_else_is_refused_by_name_and_value(monkeypatch, value):
    monkeypatch.setenv("PACTA_SWITCH", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("PACTA_SWITCH", True)
    assert str(refused.value) == f"PACTA_SWITCH must be true or false, not {value!r}."


def test_a_list_is_split_on_commas_trimmed_and_without_blanks(monkeypatch):
    monkeypatch.setenv("PACTA_HOSTS", " a.example , ,b.example,")
    assert env_list("PACTA_HOSTS", "x") == ["a.example", "b.example"]


def test_an_unset_list_reads_its_default(monkeypatch):
    monkeypatch.delenv("PACTA_HOSTS", raising=False)
    assert env_list("PACTA_HOSTS", "x.example, y.example") == ["x.example", "y.example"]
    assert env_list("PACTA_HOSTS", "") == []


POSTGRESQL = "django.db.backends.postgresql"


def test_postgresql_connections_get_the_parallel_workers_setting():
    database = with_parallel_workers({"ENGINE": POSTGRESQL}, "0")
    assert database["OPTIONS"]["options"] == "-c max_parallel_workers_per_gather=0"
    # Options the URL gave are kept, and the setting joins them.
    given = {"ENGINE": POSTGRESQL, "OPTIONS": {"options": "-c work_mem=8MB"}}
    joined = with_parallel_workers(given, "2")["OPTIONS"]["options"]
    assert joined == "-c work_mem=8MB -c max_parallel_workers_per_gather=2"


def test_a_parallel_workers_setting_in_the_url_wins():
    given = "-c max_parallel_workers_per_gather=4"
    database = {"ENGINE": POSTGRESQL, "OPTIONS": {"options": given}}
    assert with_parallel_workers(database, "0")["OPTIONS"]["options"] == given


def test_sqlite_and_an_empty_setting_are_left_alone():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"timeout": 20}}
    assert with_parallel_workers(dict(sqlite), "0") == sqlite
    assert with_parallel_workers({"ENGINE": POSTGRESQL}, "") == {"ENGINE": POSTGRESQL}


def test_a_parallel_workers_setting_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        with_parallel_workers({"ENGINE": POSTGRESQL}, "many")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_the_connection_runs_without_parallel_workers_by_default():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
