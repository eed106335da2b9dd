from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from accounts.forms import SignInForm
from config import health, metrics, twofactor

urlpatterns = [
    # config.health.ProbeMiddleware answers these first; the routes give them names.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.export, name="metrics"),
    path("", include("matrix.urls")),
    path("", include("sharing.urls")),
    path("", include("transparency.urls")),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", twofactor.verify, name="two-factor-verify"),
    path("two-factor/setup/", twofactor.setup, name="two-factor-setup"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/", include("matrix.api.urls")),
    path("api/", include("sharing.api.urls")),
    path("api/", include("audit.api_urls")),
    path("audit/", include("audit.urls")),
    path("subject-access/", include("audit.sar_urls")),
    path("people/", include("accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]

handler403 = "config.errors.permission_denied"
handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
