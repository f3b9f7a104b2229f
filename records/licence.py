"""The data licence (`PACTA_DATA_LICENSE`): one place every surface reads it from."""

from __future__ import annotations

from django.conf import settings

DEFAULT = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}


def data_license() -> dict[str, str]:
    """{"name": ..., "url": ...} of the licence the data is published under."""
    configured = getattr(settings, "PACTA_DATA_LICENSE", None) or {}
    return {
        "name": configured.get("name") or DEFAULT["name"],
        "url": configured.get("url") or DEFAULT["url"],
    }


def link_header() -> str:
    """The licence as an HTTP Link (RFC 8288, the `license` relation of RFC 4946)."""
    return f'<{data_license()["url"]}>; rel="license"'
