"""The API's anonymous throttle (PACTA_API_ANON_RATE), which the public pages' throttle
(config.middleware.PageAnonThrottle) extends: one module, so `make mutate` checks it alone."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class ApiAnonThrottle(AnonRateThrottle):
    """The anonymous rate, read per request so `override_settings(REST_FRAMEWORK=...)` and a
    changed PACTA_API_ANON_RATE take effect without re-importing DRF's throttling module."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    @property
    def cache(self):
        # One count for all worker processes (settings.PACTA_THROTTLE_CACHE).
        return caches[settings.PACTA_THROTTLE_CACHE]
