"""Admin inline rows held to the unique constraints that name their parent.

Django leaves an inline's link to its parent out of a row's constraint checks (the parent
may not be saved yet), and the formset compares its rows only with one another; so a
`UniqueConstraint(fields=["entity", "text"])` was met only by the database: a form sent twice
(a double click, an old tab) added its new rows again and answered 500 with an
IntegrityError. Here each new or changed row is also compared with the parent's stored rows
that the form did not show (those it shows, deleted or changed, the formset's own check
compares as they will be), and a clash is an ordinary form error.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import UniqueConstraint
from django.forms.models import BaseInlineFormSet

from clipdesk.admin_input import FormInputChecks


class ParentCheckedFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None:
            return  # a parent being added has no stored rows to clash with
        shown = {form.instance.pk for form in self.initial_forms if form.instance.pk}
        model = self.model
        unique = [
            constraint.fields
            for constraint in model._meta.constraints
            if isinstance(constraint, UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
            and self.fk.name in constraint.fields
        ]
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            if not form.is_valid():
                continue
            for fields in unique:
                values = {
                    name: getattr(form.instance, model._meta.get_field(name).attname)
                    for name in fields
                }
                if model._default_manager.filter(**values).exclude(pk__in=shown).exists():
                    form.add_error(None, form.instance.unique_error_message(model, fields))


class ParentCheckedInline(FormInputChecks, admin.TabularInline):
    formset = ParentCheckedFormSet
