"""The baseline the subject list is measured against: a stock Django admin changelist of subjects.

govmatrix deliberately keeps subjects out of its admin (matrix/admin.py), so this site exists only in the
benchmark's server (bench/urls.py, selected by bench/settings.py), for oversight users (staff who hold
``matrix.view_all_subjects``), read-only. It is what a typical Django project would have built: filters
in the sidebar, COUNT(*) for the result and total counts, OFFSET paging. That is the cost being compared.
"""

from django.contrib import admin

from matrix.models import Subject
from matrix.permissions import VIEW_ALL_SUBJECTS, holds

# The filter the benchmark uses: the list is filtered by borough code rather than the borough's database key.
BOROUGH_CODE_LOOKUPS = {"borough__code", "borough__code__exact"}


class BaselineAdminSite(admin.AdminSite):
    site_header = "Benchmark baseline (not part of govmatrix)"

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and holds(user, VIEW_ALL_SUBJECTS)


class SubjectChangelist(admin.ModelAdmin):
    list_display = [
        "reference",
        "family_name",
        "given_names",
        "classification",
        "status",
        "harm_score",
        "harm_band",
        "review_due",
        "borough",
    ]
    list_filter = ["borough", "status", "classification"]
    list_select_related = ["borough"]
    list_per_page = 25  # as the subject list's PAGE_SIZE
    ordering = ["-harm_score", "-uuid"]  # as the list's "harm" sort
    actions = None

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in BOROUGH_CODE_LOOKUPS or super().lookup_allowed(lookup, value, request)

    def has_module_permission(self, request):
        return holds(request.user, VIEW_ALL_SUBJECTS)

    def has_view_permission(self, request, obj=None):
        return holds(request.user, VIEW_ALL_SUBJECTS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


site = BaselineAdminSite(name="bench_admin")
site.register(Subject, SubjectChangelist)
