"""What text and JSON from outside (the admin's forms and query strings, the seed files) may
hold, checked where it comes in.

No NUL byte (PostgreSQL cannot store one in text) and no lone surrogate (not encodable as
UTF-8: a stored one breaks every JSON answer that includes the row); JSON no deeper than
MAX_JSON_DEPTH and no number longer than MAX_NUMBER_DIGITS (Python's parser would recurse,
or refuse a 4,300-digit number with an error the form does not expect).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from django import forms
from django.core.exceptions import ValidationError

UNSAFE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_DEPTH = 20
MAX_NUMBER_DIGITS = 30
# A year the database's date functions accept (datetime.MINYEAR..MAXYEAR).
MAX_YEAR_DIGITS = 4


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored, or None."""
    found = UNSAFE_CHARACTER.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character"
    return "contains a lone surrogate (not valid Unicode text)"


def strings_in(value: object) -> Iterator[str]:
    """Every string in a parsed JSON or YAML value, keys included, without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def value_problem(value: object) -> str | None:
    """Why a parsed value (from JSON or YAML) cannot be stored, or None."""
    for text in strings_in(value):
        problem = text_problem(text)
        if problem is not None:
            return f"a text {problem}"
    return None


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text, strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _bounded_number(kind):
    def parse(text: str):
        digits = sum(char.isdigit() for char in text)
        if digits > MAX_NUMBER_DIGITS:
            raise ValueError(f"a number has more than {MAX_NUMBER_DIGITS} digits")
        return kind(text)

    return parse


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json_text(text: str) -> object:
    """JSON text parsed within the bounds above; ValueError saying what is wrong."""
    problem = text_problem(text)
    if problem is not None:
        raise ValueError(f"The value {problem}.")
    if json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"The value is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        value = json.loads(
            text,
            parse_int=_bounded_number(int),
            parse_float=_bounded_number(float),
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as exc:
        raise ValueError(f"Enter valid JSON ({exc.msg}).") from exc
    except ValueError as exc:
        raise ValueError(f"The value is refused: {exc}.") from exc
    # "\ud800" and "\u0000" are escapes: only the parsed strings show them.
    problem = value_problem(value)
    if problem is not None:
        raise ValueError(f"The value has {problem}.")
    return value


class CheckedJSONField(forms.JSONField):
    """Django's JSON form field, parsing with parse_json_text's bounds."""

    def to_python(self, value):
        if self.disabled:
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, list | dict | int | float | forms.fields.JSONString):
            return value
        try:
            converted = parse_json_text(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid", params={"value": value}) from exc
        return forms.fields.JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data, initial):
        if self.disabled:
            return initial
        if data is None:
            return None
        try:
            return parse_json_text(data)
        except ValueError:
            return forms.fields.InvalidJSONInput(data)


def names_from_lines(text: str) -> list[str]:
    """One name a line: each trimmed (inner runs of spaces made one), blank lines dropped, a
    name already listed (ignoring case) dropped, the first spelling kept."""
    names: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        name = " ".join(line.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


class NameListField(forms.Field):
    """A JSON list of names edited as text, one name a line (aliases), not as JSON."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def __init__(self, *, max_length: int = 300, **kwargs) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.setdefault("help_text", "")
        kwargs["help_text"] = " ".join(
            part for part in (kwargs["help_text"], "One name a line.") if part
        )
        self.max_length = max_length
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return "" if value is None else value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list):
            return value
        if value in self.empty_values:
            return []
        problem = text_problem(value)
        if problem is not None:
            raise ValidationError(f"The text {problem}.", code="invalid")
        names = names_from_lines(value)
        too_long = [name for name in names if len(name) > self.max_length]
        if too_long:
            raise ValidationError(
                f"A name is longer than {self.max_length} characters: “{too_long[0][:60]}…”. "
                "Put one name on each line.",
                code="max_length",
            )
        return names

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True


def year_value(value: str | None) -> int | None:
    """A year typed in a query string, or None when it is not one a date can have."""
    if value and value.isascii() and value.isdigit() and len(value) <= MAX_YEAR_DIGITS:
        return int(value) or None
    return None


def query_problem(key: str, value: str) -> str | None:
    """Why an admin query-string parameter is malformed, or None. Date parts (a changelist's
    year filter and date hierarchy) must be numbers a date can hold."""
    problem = text_problem(key) or text_problem(value)
    if problem is not None:
        return f"The parameter {key!r} {problem}."
    name = key.rsplit("__", 1)[-1]
    if name in {"year", "month", "day"} and value and year_value(value) is None:
        return f"The parameter {key!r} must be a number of at most {MAX_YEAR_DIGITS} digits."
    return None
