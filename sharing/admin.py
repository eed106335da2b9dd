"""The DPO's admin for sharing reference data. Disclosures are absent on purpose: they hold personal
data and are made, decided and read only through the gated pages and API."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sharing.choices import ShareableField
from sharing.models import (
    InformationSharingAgreement,
    LawfulBasis,
    PartnerAgency,
    PartnerMembership,
)


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "partner"]
    list_select_related = ["user", "partner"]
    autocomplete_fields = ["partner"]


@admin.register(LawfulBasis)
class LawfulBasisAdmin(SimpleHistoryAdmin):
    list_display = ["citation", "title", "is_safeguarding", "active"]
    list_filter = ["is_safeguarding", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire a basis with "active"; past disclosures keep pointing at it


class AgreementForm(forms.ModelForm):
    shareable_fields = forms.MultipleChoiceField(
        choices=ShareableField.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these fields can ever be disclosed under this agreement.",
    )

    class Meta:
        model = InformationSharingAgreement
        fields = "__all__"


@admin.register(InformationSharingAgreement)
class InformationSharingAgreementAdmin(SimpleHistoryAdmin):
    form = AgreementForm
    list_display = ["reference", "partner", "valid_from", "valid_to", "review_date"]
    list_filter = ["partner__kind"]
    list_select_related = ["partner"]
    filter_horizontal = ["lawful_bases"]
    search_fields = ["reference", "partner__name"]

    def has_delete_permission(self, request, obj=None):
        return False
