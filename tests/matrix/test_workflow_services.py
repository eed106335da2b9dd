"""Workflow rules at the service level, including the database's own four-eyes guard."""

import pytest
from django.db import IntegrityError, transaction

from matrix import workflow

pytestmark = pytest.mark.django_db


def test_a_rejected_record_can_be_resubmitted_after_addressing_the_reason(make_subject, officer, supervisor):
    rejected = make_subject("rejected")
    resubmitted = workflow.submit_subject(acting_user=officer, subject=rejected)
    assert resubmitted.status == "submitted"
    assert resubmitted.rejection_reason == "Synthetic rejection reason"  # kept for the supervisor to see
    approved = workflow.approve_subject(acting_user=supervisor, subject=resubmitted)
    assert approved.status == "approved" and approved.rejection_reason == ""


def test_database_refuses_approval_by_the_submitter(make_subject, officer):
    submitted = make_subject("submitted")
    submitted.status, submitted.approved_by = "approved", officer
    submitted.review_due = submitted.created_at.date()
    with pytest.raises(IntegrityError), transaction.atomic():
        submitted.save()


def test_database_refuses_approval_without_a_review_date(make_subject, supervisor):
    submitted = make_subject("submitted")
    submitted.status, submitted.approved_by = "approved", supervisor
    with pytest.raises(IntegrityError), transaction.atomic():
        submitted.save()


def test_database_refuses_removal_without_a_retention_clock(make_subject):
    approved = make_subject("approved")
    approved.status = "removed"
    with pytest.raises(IntegrityError), transaction.atomic():
        approved.save()
