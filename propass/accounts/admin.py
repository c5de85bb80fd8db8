from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from propass.accounts.enums import AccessRevokeReason
from propass.accounts.models import Business, BusinessMembership, User
from propass.accounts.services import business_vies_check_request, user_sessions_revoke

# API tokens are secrets of their owner, who lists and revokes them in MY ACCOUNT; knox's own
# admin would let staff mint a token for anyone.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


class PasswordChangeForm(AdminPasswordChangeForm):
    """A password set in the data administration ends the user's tokens and sessions (the
    admin then keeps the session of staff who changed their own password)."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            user_sessions_revoke(user=user, reason=AccessRevokeReason.PASSWORD_SET)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    change_password_form = PasswordChangeForm

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Deactivating a login ends its tokens and sessions at once."""
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_sessions_revoke(user=obj, actor=request.user, reason=AccessRevokeReason.DEACTIVATED)  # type: ignore[arg-type]


class MembershipInline(admin.TabularInline):
    model = BusinessMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "vat_number", "points_balance", "created_at"]
    list_filter = ["country"]
    search_fields = ["name", "vat_number", "legacy_email"]
    readonly_fields = ["points_balance", "invited_at", "vies_check"]
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Business, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "vat_number" in form.changed_data:
            # A new VAT number is asked of VIES (core/vies.py); the former answer stays as evidence.
            business_vies_check_request(business_id=obj.pk, actor=request.user)
