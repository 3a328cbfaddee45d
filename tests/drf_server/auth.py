"""Authentication and throttling: the classes DRF's settings name.

Apart from the views, as DRF imports these while it loads its own views.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework import exceptions, throttling
from rest_framework.authentication import BaseAuthentication

from tests.drf_server.models import ApiKey

API_KEY_HEADER = "HTTP_X_AVALA_API_KEY"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, ApiKey] | None:
        key = request.META.get(API_KEY_HEADER)
        if not key:
            return None
        api_key = ApiKey.objects.select_related("user").filter(key=key).first()
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if api_key.expired:
            raise exceptions.AuthenticationFailed("API key has expired.")
        return (api_key.user, api_key)

    def authenticate_header(self, request: Any) -> str:
        # Without a WWW-Authenticate challenge DRF turns every 401 into a 403.
        return "Api-Key"


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's throttle, at the rate of the request's key when it has one, counting for headers."""

    def allow_request(self, request: Any, view: Any) -> bool:
        rate = getattr(request.auth, "rate", "")
        if rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        allowed: bool = super().allow_request(request, view)
        history = getattr(self, "history", [])
        now = getattr(self, "now", None)
        if self.num_requests is not None and now is not None:
            # The window frees a slot when its oldest request (the list's last) leaves it.
            reset = math.ceil(history[-1] + self.duration) if history else math.ceil(now)
            request.rate_limit_headers = {
                "X-RateLimit-Limit": str(self.num_requests),
                "X-RateLimit-Remaining": str(max(0, self.num_requests - len(history))),
                "X-RateLimit-Reset": str(reset),
            }
        return allowed
