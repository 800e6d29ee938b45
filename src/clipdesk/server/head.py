"""HEAD answered without a body.

Django answers HEAD by running the GET view and leaves dropping the body to the server;
gunicorn drops it, and logs a warning for every such request ("WSGI app sent body bytes on a
no-body response"), so a monitor's HEAD checks filled the error log. The body goes here; its
length stays in Content-Length, as for the GET.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class HeadWithoutBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.close()  # a file's handle, say
            response.streaming_content = []
            return response
        if "Content-Length" not in response.headers:
            response.headers["Content-Length"] = str(len(response.content))
        length = response.headers["Content-Length"]
        response.content = b""
        response.headers["Content-Length"] = length  # setting content reset it
        return response
