"""The auditor's screens: read-only, for the auditor and DPO roles. Views parse and call audit.queries.

Any other role is refused with a 403, which ``config.errors.permission_denied`` logs. Reading the log is itself
logged: searches and user pages as ``search``, a subject's timeline as ``consult``, a CSV as ``export``.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from audit import hooks, queries
from audit.export import export_response
from audit.forms import EventFilterForm, ExportForm
from audit.log import record
from audit.models import Action
from audit.permissions import require_log_reader
from audit.timeline import subject_timeline
from audit.verification import latest_full_check
from core.pagination import page_links
from matrix.views.common import get_visible_subject

SCOPE = "the access log of every borough, read-only, because your role is audit and oversight"


@login_required
def event_list(request):
    require_log_reader(request.user)
    form = EventFilterForm(request.GET or None)
    search = queries.EventSearch.of(form.criteria())
    rows, next_before = queries.events_page(search.events(), request.GET.get("before"))
    record(
        Action.SEARCH,
        actor=request.user,
        subject=search.subject(),
        detail=f"Access log searched: {search.describe()}; {len(rows)} row(s) shown"[:300],
    )
    context = {
        "form": form,
        "events": rows,
        "export_form": ExportForm(),
        "scope": SCOPE,
        "last_full_check": latest_full_check(),
    }
    return render(request, "audit/events.html", {**context, **page_links(request, "before", next_before)})


@login_required
def event_export(request):
    """GET: the justification form. POST (with the list's filters in the query string): the CSV, logged."""
    require_log_reader(request.user)
    filters = EventFilterForm(request.GET or None)
    form = ExportForm(request.POST or None)
    filters_valid = not filters.is_bound or filters.is_valid()
    if request.method == "POST" and form.is_valid() and filters_valid:
        search = queries.EventSearch.of(filters.criteria())
        return export_response(request.user, search, form.cleaned_data["justification"])
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "filters": filters, "filter_query": request.GET.urlencode(), "scope": SCOPE}
    return render(request, "audit/export_form.html", context, status=status)


@login_required
def subject_timeline_page(request, subject_uuid):
    require_log_reader(request.user)
    subject = get_visible_subject(request.user, subject_uuid)
    timeline = subject_timeline(subject)
    hooks.consulted(request.user, subject, detail="Audit timeline of the record viewed")
    scope = (
        f"one record ({subject.reference}) and every access to it, read-only, because your role is audit and oversight"
    )
    return render(request, "audit/subject_timeline.html", {"subject": subject, "timeline": timeline, "scope": scope})


@login_required
def user_activity(request, username):
    require_log_reader(request.user)
    profile = queries.user_profile(username)
    account_id = profile.account.pk if profile.account else None
    rows, next_before = queries.events_page(queries.user_events(username, account_id), request.GET.get("before"))
    if profile.account is None and not rows:
        raise Http404("No account and no log entries under this name.")
    who = username if profile.account else "a sign-in name matching no account"
    record(
        Action.SEARCH,
        actor=request.user,
        detail=f"Access log: activity of {who} viewed; {len(rows)} row(s) shown"[:300],
    )
    context = {"profile": profile, "events": rows, "scope": SCOPE}
    return render(request, "audit/user_activity.html", {**context, **page_links(request, "before", next_before)})


@login_required
def unusual_activity(request):
    require_log_reader(request.user)
    activity = queries.unusual_activity()
    record(Action.SEARCH, actor=request.user, detail="Access log: unusual activity of the last 7 days viewed")
    return render(request, "audit/unusual.html", {"activity": activity, "scope": SCOPE})
