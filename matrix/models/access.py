"""Who may see which subjects: borough grants and break-glass grants (docs/access.md, Borough partitioning;
docs/access.md, Break-glass access).

These are django-guardian direct-foreign-key permission models, so gating is a join on small
indexed tables rather than the generic (content type, text key) tables that slow down at scale.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.history import History


class BoroughUserGrant(UserObjectPermissionBase):
    content_object = models.ForeignKey("matrix.Borough", on_delete=models.CASCADE, related_name="user_grants")
    history = History()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "borough access granted to a user"


class BoroughGroupGrant(GroupObjectPermissionBase):
    content_object = models.ForeignKey("matrix.Borough", on_delete=models.CASCADE, related_name="group_grants")
    history = History()

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "borough access granted to a group"


class SubjectAccessGrant(UserObjectPermissionBase):
    """Break glass: read access to one subject outside the user's boroughs, justified and time-limited."""

    content_object = models.ForeignKey("matrix.Subject", on_delete=models.CASCADE, related_name="access_grants")
    justification = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = History()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "break-glass access grant"
        indexes = [models.Index(fields=["user", "expires_at"], name="subject_grant_user_expiry")]
        constraints = [
            models.CheckConstraint(condition=~Q(justification=""), name="subject_grant_justified"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("granted_at")), name="subject_grant_expires"),
        ]

    def is_live(self, at=None) -> bool:
        return self.expires_at > (at or timezone.now())
