from django import template

from sharing.snapshot import snapshot_rows

register = template.Library()


@register.filter
def rows_of(snapshot):
    return snapshot_rows(snapshot) if snapshot else []


@register.filter
def evidence_of(snapshot):
    return ((snapshot or {}).get("fields") or {}).get("evidence")
