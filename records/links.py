"""Record pages' addresses, as `reverse()` gives them, at a fraction of its cost.

A list page links every row and every country in it: about 90 calls of `reverse()` a page,
each about 16 µs (docs/scaling.md, eleventh session). A record's address differs from
another's of its kind only by its slug (or code), so the address is reversed once per URLconf
and script prefix with a placeholder, and each value put in its place."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Values reverse() leaves as they are and both `<slug:…>` and `<str:…>` accept.
PLAIN = re.compile(r"[-a-zA-Z0-9_]+")
PLACEHOLDER = "pacta-placeholder-7340"

# Setting or clearing a key is atomic: threads sharing it need no lock.
_addresses: dict[tuple, str | None] = {}


def detail_url(name: str, field: str, value: str) -> str:
    """`reverse(name, kwargs={field: value})`. A value that is not plain (empty, or with a
    character reverse() would quote) and a route whose converter refuses the placeholder
    are reversed as before."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name, field)
    address = _addresses.get(key, ...)
    if address is ...:
        try:
            address = reverse(name, kwargs={field: PLACEHOLDER})
        except NoReverseMatch:
            address = None
        if address is not None and address.count(PLACEHOLDER) != 1:
            address = None
        _addresses[key] = address
    if address is None or type(value) is not str or not PLAIN.fullmatch(value):
        return reverse(name, kwargs={field: value})
    return address.replace(PLACEHOLDER, value)


@receiver(setting_changed)
def forget_addresses(*, setting, **kwargs):
    # A test may swap the URLconf under the same module name.
    if setting == "ROOT_URLCONF":
        _addresses.clear()
