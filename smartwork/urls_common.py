"""Routes both hosts have: sign-in and out, the OpenAPI schema and its docs, a health check."""

from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from engagements import views


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("healthz", healthz, name="healthz"),
]
