"""Responses compressed for clients that accept gzip: text only, and whole responses only.

Django's GZipMiddleware compresses whatever it is given: a part of a file answered to a
Range request (206) became a gzip of that part, under a Content-Range that no longer
described it, and images and fonts, compressed already, were compressed again for nothing.
Its random filler in the gzip header stays (it keeps a page's CSRF token from being read
through compressed lengths, BREACH).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


class CompressTextMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.status_code == 206 or response.has_header("Content-Range"):
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        textual = content_type.startswith(COMPRESSED_TYPES) or content_type.endswith(
            ("+xml", "/xml")
        )
        if not textual:
            return response
        return super().process_response(request, response)
