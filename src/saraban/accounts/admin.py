"""The agency admin's UI (Django admin, in Thai): organisation data, users, roles and rights.

Every change made here writes an audit record inside the admin's own transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from saraban.accounts.models import AgencyProfile, Membership, Ministry, OrgUnit, Province, User
from saraban.accounts.permissions import is_agency_admin
from saraban.accounts.services import user_record_change
from saraban.audit.services import audit_record


class SarabanAdminSite(admin.AdminSite):
    site_header = "ผู้ดูแลระบบสารบรรณอิเล็กทรอนิกส์"
    site_title = "ผู้ดูแลระบบ"
    index_title = "จัดการผู้ใช้ สิทธิ์ และข้อมูลหน่วยงาน"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return isinstance(user, User) and is_agency_admin(user)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """One sign-in for the whole system (password, lockout, throttling and the second factor)."""
        target = request.GET.get("next") or reverse("saraban-admin:index")
        return redirect(f"{reverse('accounts-login')}?{urlencode({'next': target})}")


site = SarabanAdminSite(name="saraban-admin")


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Permissions come from the agency-admin role; every save and delete is audited."""

    def _is_admin(self, request: HttpRequest) -> bool:
        return isinstance(request.user, User) and is_agency_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def _actor(self, request: HttpRequest) -> User | None:
        return request.user if isinstance(request.user, User) else None

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "created")
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "changed")
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            audit_record(actor=self._actor(request), action=f"{obj._meta.model_name}.deleted", obj=obj,
                         summary=f"ลบ {obj}"[:500])
        return super().log_deletions(request, queryset)

    def _audit(self, request: HttpRequest, obj: models.Model, verb: str) -> None:
        if isinstance(obj, User):
            user_record_change(actor=self._actor(request), user=obj, action=f"user.{verb}")
        else:
            audit_record(actor=self._actor(request), action=f"{obj._meta.model_name}.{verb}", obj=obj,
                         summary=str(obj)[:500])


@admin.register(Ministry, site=site)
class MinistryAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "ecms_id", "active")
    search_fields = ("code", "name", "name_en")


@admin.register(Province, site=site)
class ProvinceAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name")


@admin.register(OrgUnit, site=site)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "reference_prefix", "parent", "ecms_code", "active")
    list_filter = ("kind", "active", "ministry")
    search_fields = ("name", "short_name", "number", "ecms_code")
    list_select_related = ("parent", "ministry", "province")


@admin.register(AgencyProfile, site=site)
class AgencyProfileAdmin(AuditedAdmin):
    list_display = ("root_unit", "use_thai_digits", "central_email", "hub_code")


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 1

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return isinstance(request.user, User) and is_agency_admin(request.user)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(User, site=site)
class SarabanUserAdmin(AuditedAdmin, UserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ("username", "display_name", "position", "clearance", "can_open", "can_receive", "can_send",
                    "is_active", "locked_until")
    list_filter = ("clearance", "can_receive", "can_send", "is_active", "memberships__role")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("ข้อมูลบุคคล", {"fields": ("title", "first_name", "last_name", "position", "email", "phone")}),
        ("สิทธิ์ตามระเบียบ", {"fields": ("can_open", "can_receive", "can_send", "clearance", "assists")}),
        ("สถานะบัญชี", {"fields": ("is_active", "must_change_password", "failed_logins", "locked_until",
                                  "last_login", "password_changed_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("ข้อมูลบุคคล", {"fields": ("title", "first_name", "last_name", "position", "email")}),
        ("สิทธิ์ตามระเบียบ", {"fields": ("can_open", "can_receive", "can_send", "clearance")}),
    )
    readonly_fields = ("last_login", "password_changed_at")
    filter_horizontal = ("assists",)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Memberships are saved after the user: record the final rights and roles.
        user_record_change(actor=self._actor(request), user=form.instance, action="user.rights_saved")
