"""Signing in, with throttling, for the desk and the admin alike."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from clipdesk.people import throttle
from clipdesk.people.addresses import client_address
from clipdesk.people.roles import can_use_desk, is_desk_only


class ThrottledLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    device: str | None = None  # a known device's id, read from the attempt's cookie

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        self.device = throttle.known_device(request.COOKIES.get(throttle.DEVICE_COOKIE), username)
        try:
            locked = throttle.is_locked(client_address(request), username, self.device)
        except throttle.CounterUnavailable:
            return self._refused(request, "unavailable", status=503, retry_after=60)
        if locked:
            return self._refused(request, "locked", status=429, retry_after=throttle.WINDOW_SECONDS)
        return super().post(request, *args, **kwargs)

    def _refused(self, request: HttpRequest, why: str, status: int, retry_after: int):
        form = self.get_form_class()(request, data=request.POST)
        response = self.render_to_response(self.get_context_data(**{why: True, "form": form}))
        response.status_code = status
        response["Retry-After"] = str(retry_after)
        return response

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        throttle.note_failure(client_address(self.request), username, self.device)
        return super().form_invalid(form)

    def form_valid(self, form):
        username = form.get_user().get_username()
        throttle.clear(client_address(self.request), username, self.device)
        response = super().form_valid(form)
        # This browser is now one the account signs in with: the account's lock, which anyone
        # knowing its name can set off, no longer keeps it out (people/throttle.py).
        response.set_cookie(
            throttle.DEVICE_COOKIE,
            throttle.device_cookie(username),
            max_age=throttle.DEVICE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def get_redirect_url(self) -> str:
        """A safe `next`, unless it is a desk page and this account may not use the desk: a
        reader sent to sign in from /desk/ was taken back there, to be answered 403."""
        url = super().get_redirect_url()
        user = self.request.user
        if url and user.is_authenticated and not can_use_desk(user) and is_desk_only(url):
            return ""
        return url

    def get_default_redirect_url(self) -> str:
        """Where an account goes without a safe `next`: the desk for its editors and admins
        (LOGIN_REDIRECT_URL), the front page for everyone else. Sent to the desk too, a
        reader signed in only to be answered 403."""
        if can_use_desk(self.request.user):
            return super().get_default_redirect_url()
        return reverse("digest:front_page")


class ThrottledAdminLoginView(ThrottledLoginView):
    """The admin's sign-in. An account signed in already goes on to the admin when the admin
    admits it; one it does not (a reader's, an editor's not marked staff) is shown the form,
    to sign in as another. Sent back to the admin, which sent it here again, it went round
    until the browser gave up on "too many redirects"."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.redirect_authenticated_user = admin.site.has_permission(request)
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        """The admin's sign-in leads to the admin, as Django's own does, when no `next` says
        where: the form sends one, an address typed or bookmarked may not."""
        return reverse("admin:index")

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        if self.request.user.is_authenticated:
            context["not_admitted"] = self.request.user.get_username()
        return context
