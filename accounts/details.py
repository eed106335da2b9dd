"""How account changes read in the access log, shared by the services and the other-door receivers
so one kind of change is described the same way whichever door it came through."""

from matrix.models import BoroughUserGrant
from matrix.permissions import ACCESS_BOROUGH


def borough_grant(grant, verb: str, preposition: str) -> str:
    """E.g. "Granted borough Hackney (E09000012) to officer.x"; a group grant names the group."""
    borough = grant.content_object
    holder = grant.user.get_username() if isinstance(grant, BoroughUserGrant) else f"group {grant.group.name}"
    permission = "" if grant.permission.codename == ACCESS_BOROUGH else f" ({grant.permission.codename})"
    return f"{verb} borough {borough.name} ({borough.code}){permission} {preposition} {holder}"


def partner_membership(username: str, partner, verb: str) -> str:
    """E.g. "Partner agency of partner.x set to Synthetic Youth Service"."""
    return f"Partner agency of {username} {verb} {partner.name}"


def roles(username: str, verb: str, names) -> str:
    return f"Roles of {username} {verb}: {', '.join(sorted(names)) or 'none'}"


def permission_names(permissions) -> list[str]:
    """E.g. "matrix.break_glass": the name ``user.has_perm`` uses, unambiguous across apps."""
    return [f"{permission.content_type.app_label}.{permission.codename}" for permission in permissions]


def permissions(holder: str, verb: str, names) -> str:
    """E.g. "Permissions of user officer.x added: matrix.break_glass"; ``holder`` is "user x" or "group y"."""
    return f"Permissions of {holder} {verb}: {', '.join(sorted(names)) or 'none'}"
