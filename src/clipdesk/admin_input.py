"""Admin pages held to what an edited address or a hand-made form can send.

The admin trusts its own pages to send what they drew: a row number that fits the database, a
year a date can hold, JSON a person typed. An address edited by hand (or cut short, or sent by
a script) answered a server error instead: a date-hierarchy year or month beyond what a date
holds (OverflowError), a filter on a row number beyond SQLite's 64-bit integers (OverflowError
at the query), a bulk action on "selected rows" that are no row numbers (ValueError), a form
redrawn with an autocomplete choice that is no row number (ValueError while drawing the
widget), JSON nested thousands deep (RecursionError). Here each is what the admin does for
input it cannot use: the list's "?e=1" notice, a warning beside the list, a form error.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect

# Deeper than any list or object the admin's JSON fields hold (aliases, XPaths, problems); a
# value nested further is a mistake, and redrawing it could exhaust the recursion limit.
JSON_DEPTH_LIMIT = 50


def column_holds(field: models.Field, value: Any) -> bool:
    """Whether `value` (as sent in a form or an address) is one `field`'s column can hold:
    "abc" is no row number, and 10**23 fits in no integer column."""
    try:
        field.run_validators(field.to_python(value))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


def json_depth(value: Any) -> int:
    """How deep lists and objects nest in `value`, counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            pending.extend((inner, depth + 1) for inner in item)
    return deepest


class DepthCheckedJSONField(forms.JSONField):
    """JSON refused in words when it nests too deep: Python's parser gave up on thousands of
    "[" with a RecursionError, a server error, instead of the field's "Enter a valid JSON"."""

    def to_python(self, value: Any) -> Any:
        if self.disabled or not isinstance(value, str):
            return super().to_python(value)
        try:
            converted = super().to_python(value)
        except RecursionError:
            converted = None
            too_deep = True
        else:
            too_deep = json_depth(converted) > JSON_DEPTH_LIMIT
        if too_deep:
            raise ValidationError(
                f"Nested more than {JSON_DEPTH_LIMIT} levels deep; no value here needs that.",
                code="invalid",
            )
        return converted

    def bound_data(self, data: Any, initial: Any) -> Any:
        # Redrawn as typed, the form's error beside it: loading it again would fail as before.
        if isinstance(data, str) and not self.disabled:
            try:
                loaded = json.loads(data, cls=self.decoder)
            except (json.JSONDecodeError, RecursionError):
                return forms.fields.InvalidJSONInput(data)
            if json_depth(loaded) > JSON_DEPTH_LIMIT:
                return forms.fields.InvalidJSONInput(data)
            return loaded
        return super().bound_data(data, initial)


class _ChosenRowsChecked:
    """An autocomplete widget that draws only the chosen values its related column can hold:
    it looked each up to show its name, and a value such as "abc" was a ValueError."""

    def optgroups(self, name: str, value: Sequence[Any], attr: dict | None = None) -> list:
        remote = self.field.remote_field  # type: ignore[attr-defined]
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        held = [v for v in value if column_holds(to_field, v)]
        return super().optgroups(name, held, attr)  # type: ignore[misc]


class RowCheckedAutocompleteSelect(_ChosenRowsChecked, AutocompleteSelect):
    pass


class RowCheckedAutocompleteSelectMultiple(_ChosenRowsChecked, AutocompleteSelectMultiple):
    pass


class FormInputChecks:
    """For a ModelAdmin or an inline: the form fields that check what was sent before they
    use it (autocomplete choices, JSON)."""

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs):
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", DepthCheckedJSONField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: models.Field, request: HttpRequest, **kwargs):
        self._checked_autocomplete(RowCheckedAutocompleteSelect, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: models.Field, request: HttpRequest, **kwargs):
        self._checked_autocomplete(RowCheckedAutocompleteSelectMultiple, db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def _checked_autocomplete(
        self, widget: type, db_field: models.Field, request: HttpRequest, kwargs: dict
    ) -> None:
        """The checked autocomplete `widget` for a field the admin autocompletes, unless the
        caller chose a widget itself (as Django's own formfield_for_* decide)."""
        autocomplete = self.get_autocomplete_fields(request)  # type: ignore[attr-defined]
        if "widget" not in kwargs and db_field.name in autocomplete:
            site = self.admin_site  # type: ignore[attr-defined]
            kwargs["widget"] = widget(db_field, site, using=kwargs.get("using"))


class CheckedModelAdmin(FormInputChecks, admin.ModelAdmin):
    """A ModelAdmin whose list, filters and bulk actions answer bad input as the admin does,
    never with a server error (see the module's docstring). Every admin of the site uses it."""

    def get_changelist_instance(self, request: HttpRequest):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as exc:
            # A year, month or row number in the address beyond what a date or the database's
            # integer holds: the notice for any filter the admin cannot apply ("?e=1").
            raise IncorrectLookupParameters(exc) from exc

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseBase | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        pk = self.opts.pk
        if not all(column_holds(pk, value) for value in selected):
            self.message_user(
                request,
                "The selection sent names no rows of this list (the page may be out of date): "
                "nothing was changed.",
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)
