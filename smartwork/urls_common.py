"""Routes both hosts have: sign-in and out, the OpenAPI schema and its docs, a health check."""

from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from engagements import views


class HostSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host asked: the public API on the public host, the tenant API on a client's."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.password_reset_request, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("reset/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("api/schema/", HostSchemaView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("healthz", healthz, name="healthz"),
]
