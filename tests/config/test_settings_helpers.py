"""The settings' readers of the environment, called directly: every switch of
config/settings.py goes through them (the switches themselves are pinned in
test_readme_numbers.py and, through a real start-up, in test_settings.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_list


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
