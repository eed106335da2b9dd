"""The DPO's admin: boroughs and who may access them, inclusion criteria and the harm scoring method.

Subjects and evidence are deliberately absent: personal data is reached only through the gated pages.
Published criteria and scoring methods are read-only here; change means drafting a new version.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.admin import GuardedModelAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from core.history import tracked
from matrix import publishing
from matrix.models import (
    Borough,
    HarmScoringMethod,
    InclusionCriterion,
    OffenceType,
    OffenceWeight,
    SubjectAccessGrant,
)


@admin.register(Borough)
class BoroughAdmin(GuardedModelAdmin, SimpleHistoryAdmin):
    """Use "Object permissions" on a borough to grant a user or group access to its subjects."""

    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False  # the 33 areas are fixed by statute and loaded by migration

    def has_delete_permission(self, request, obj=None):
        return False


class VersionedAdmin(SimpleHistoryAdmin):
    """Drafts are editable; published versions are frozen and only superseded."""

    actions = ["publish_drafts", "draft_new_versions"]
    readonly_fields = ["version", "is_current", "published_at", "published_by", "superseded_at"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a POSTed "revert" after checking only view permission on the historical
        # snapshot (a draft, for the rows written before publication). A revert is an edit: it needs
        # change permission on the version as it stands now, so a published version stays frozen.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        if obj is not None and not type(obj).objects.filter(pk=obj.pk, published_at__isnull=True).exists():
            return True  # ``obj`` may be a draft-era snapshot of what is now a published version
        return super().revert_disabled(request, obj)

    def save_model(self, request, obj, form, change):
        if obj.version is None:
            obj.version = self.next_version(obj)
        with tracked(obj, acting_user=request.user, reason="Draft edited" if change else "Draft created"):
            super().save_model(request, obj, form, change)

    @admin.action(description="Publish the selected drafts (supersedes the current version)", permissions=["change"])
    def publish_drafts(self, request, queryset):
        for obj in queryset:
            try:
                publishing.publish(obj, acting_user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Published {obj}.", messages.SUCCESS)

    @admin.action(description="Draft a new version from each selected version", permissions=["add"])
    def draft_new_versions(self, request, queryset):
        for obj in queryset:
            draft = publishing.draft_new_version(obj, acting_user=request.user)
            self.message_user(request, f"Drafted {draft}.", messages.SUCCESS)


@admin.register(InclusionCriterion)
class InclusionCriterionAdmin(VersionedAdmin):
    list_display = ["title", "code", "version", "is_current", "published_at", "superseded_at"]
    list_filter = ["is_current"]

    def next_version(self, obj):
        latest = InclusionCriterion.objects.filter(code=obj.code).order_by("-version").first()
        return latest.version + 1 if latest else 1


class OffenceWeightInline(admin.TabularInline):
    model = OffenceWeight
    extra = 1


@admin.register(HarmScoringMethod)
class HarmScoringMethodAdmin(VersionedAdmin):
    list_display = ["__str__", "half_life_days", "amber_threshold", "red_threshold", "is_current", "published_at"]
    inlines = [OffenceWeightInline]

    def next_version(self, obj):
        latest = HarmScoringMethod.objects.order_by("-version").first()
        return latest.version + 1 if latest else 1


@admin.register(OffenceType)
class OffenceTypeAdmin(SimpleHistoryAdmin):
    list_display = ["label", "code"]
    search_fields = ["label", "code"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubjectAccessGrant)
class SubjectAccessGrantAdmin(admin.ModelAdmin):
    """Break-glass grants, for oversight. They are made through the service, never here."""

    list_display = ["user", "content_object", "granted_at", "expires_at", "justification"]
    list_select_related = ["user", "content_object"]
    list_filter = ["expires_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# DRF's token admin would issue tokens without the second-factor check and without a log entry: tokens are
# issued only by `manage.py create_api_token` (config/tokens.py). authtoken's admin is loaded before this one.
admin.site.unregister(TokenProxy)
