from sharing.views.portal import portal_detail, portal_export, portal_home
from sharing.views.staff import (
    disclosure_decide,
    disclosure_detail,
    disclosure_queue,
    disclosure_register,
    disclosure_request,
)

__all__ = [
    "disclosure_decide",
    "disclosure_detail",
    "disclosure_queue",
    "disclosure_register",
    "disclosure_request",
    "portal_detail",
    "portal_export",
    "portal_home",
]
