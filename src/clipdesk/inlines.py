"""Admin inline rows held to the unique constraints that name their parent.

Django leaves an inline's link to its parent out of a row's constraint checks (the parent
may not be saved yet), so a `UniqueConstraint(fields=["entity", "text"])` was met only by
the database: a form sent twice (a double click, an old tab) added its new rows again and
answered 500 with an IntegrityError. Here a row whose parent exists is checked with it, and
a duplicate is an ordinary form error.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import InlineForeignKeyField


class ParentCheckedForm(forms.ModelForm):
    def _post_clean(self) -> None:
        super()._post_clean()
        links = {name for name, f in self.fields.items() if isinstance(f, InlineForeignKeyField)}
        if not links or self.errors:
            return
        parent = getattr(self.instance, next(iter(links)), None)
        if parent is None or parent.pk is None:
            return  # a parent being added has no rows yet to clash with
        exclude = self._get_validation_exclusions() - links
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class ParentCheckedInline(admin.TabularInline):
    form = ParentCheckedForm
