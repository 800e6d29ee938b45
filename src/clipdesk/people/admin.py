"""The audit trail in the admin (read, never written there: actions write it themselves), and
Django's own admins of accounts and groups held to the site's checks of what is sent."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.people.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(CheckedModelAdmin):
    list_display = ["at", "user", "action", "object_type", "object_id", "detail"]
    list_filter = ["action", "object_type"]
    search_fields = ["user__username", "object_type", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a record of what was done: kept whole


# Django's own admins of accounts and groups, held to the same checks as the others.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(CheckedModelAdmin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(CheckedModelAdmin, auth_admin.GroupAdmin):
    pass
