"""`manage.py run_daily_jobs`: every job runs even when one fails; expired sessions go; one release a quarter."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.log import record
from audit.models import Action
from tests.audit.test_audit_log import _tamper
from transparency.models import StatisticsRelease

LONDON = ZoneInfo("Europe/London")


def run_jobs() -> str:
    out = StringIO()
    try:
        call_command("run_daily_jobs", stdout=out, stderr=out)
    except CommandError as error:
        raise AssertionError(out.getvalue()) from error
    return out.getvalue()


def make_session(expire_in: timedelta) -> str:
    store = SessionStore()
    store["probe"] = 1
    store.set_expiry(int(expire_in.total_seconds()))
    store.create()
    return store.session_key


@pytest.mark.django_db
def test_expired_sessions_are_cleared_and_live_ones_kept():
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=LONDON), tick=False):
        expired = make_session(timedelta(minutes=15))
    live = make_session(timedelta(minutes=15))
    output = run_jobs()
    assert "== clearsessions" in output and "All 4 daily jobs succeeded." in output
    assert set(Session.objects.values_list("session_key", flat=True)) == {live}
    assert expired != live


@pytest.mark.django_db
def test_one_statistics_release_per_quarter_even_when_the_first_day_was_missed():
    with time_machine.travel(datetime(2026, 10, 5, 3, tzinfo=LONDON), tick=False):  # 1 October was missed
        run_jobs()
        assert StatisticsRelease.objects.count() == 1
    with time_machine.travel(datetime(2026, 12, 1, 3, tzinfo=LONDON), tick=False):
        assert "publish_statistics" not in run_jobs()
        assert StatisticsRelease.objects.count() == 1
    with time_machine.travel(datetime(2027, 1, 1, 3, tzinfo=LONDON), tick=False):
        assert "== publish_statistics" in run_jobs()
        assert StatisticsRelease.objects.count() == 2


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others_and_the_run_fails():
    entry = record(Action.LOGIN, username="someone", detail="signed in")
    _tamper("UPDATE audit_accessevent SET detail = 'forged' WHERE id = %s", [entry.pk])
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=LONDON), tick=False):
        expired = make_session(timedelta(minutes=15))
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 4 daily jobs failed: verify_audit"):
        call_command("run_daily_jobs", stdout=out, stderr=out)
    assert "verify_audit failed: CommandError (details in the application log)" in out.getvalue()
    assert "forged" not in out.getvalue()
    assert not Session.objects.filter(session_key=expired).exists()  # clearsessions ran after the failure
