"""The Content-Security-Policy header, and forwarded headers only from trusted proxies.

Django 5.2 has no CSP support of its own (it arrives in 6.0, which needs Python 3.12), and
one fixed header needs no extra package: pages load scripts, styles and images from this
site only, are never framed, and post forms only to this site. Inline styles are allowed
because the admin's widgets set some; inline scripts are not.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


class ForwardedOnlyByTrustedProxiesMiddleware:
    """X-Forwarded-Proto believed from the reverse proxies in CLIPDESK_TRUSTED_PROXIES only.

    Behind HTTPS (CLIPDESK_PRODUCTION) a request whose X-Forwarded-Proto says "https" counts
    as secure (SECURE_PROXY_SSL_HEADER); a client reaching the server's port directly could
    say so itself. With the proxies named, the header is dropped from anyone else; with none
    named it is believed as before, since a proxy in front may have no setting yet (doing
    otherwise would refuse its users' forms as cross-site)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from clipdesk.people.addresses import from_trusted_proxy

        proxies = settings.CLIPDESK_TRUSTED_PROXIES
        if proxies and "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
