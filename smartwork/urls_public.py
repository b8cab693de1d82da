"""Routes of the public host (the consultancy)."""

from django.urls import include, path

from engagements import api, views

api_v1 = [
    path("clients/", api.ClientListCreateApi.as_view(), name="client_list"),
    path("clients/<slug:slug>/", api.ClientDetailApi.as_view(), name="client_detail"),
    path("clients/<slug:slug>/retry/", api.ClientRetryApi.as_view(), name="client_retry"),
    path("clients/<slug:slug>/consultants/", api.ClientConsultantsApi.as_view(), name="client_consultants"),
    path("clients/<slug:slug>/phase/", api.ClientPhaseApi.as_view(), name="client_phase"),
    path("clients/<slug:slug>/phase-history/", api.ClientPhaseHistoryApi.as_view(), name="client_phase_history"),
    path("clients/<slug:slug>/theater-checks/", api.ClientTheaterChecksApi.as_view(), name="client_theater_checks"),
    path("portfolio/", api.PortfolioApi.as_view(), name="portfolio"),
    path("tokens/", api.TokenListCreateApi.as_view(), name="token_list"),
    path("tokens/<str:token_id>/", api.TokenDetailApi.as_view(), name="token_detail"),
]

urlpatterns = [
    path("", include("smartwork.urls_common")),
    path("clients/new/", views.client_new, name="client_new"),
    path("clients/<slug:slug>/", views.client_detail, name="client_detail"),
    path("clients/<slug:slug>/status/", views.client_status, name="client_status"),
    path("clients/<slug:slug>/phase/", views.client_phase, name="client_phase"),
    path("clients/<slug:slug>/theater-check/", views.client_theater_check, name="client_theater_check"),
    path("clients/<slug:slug>/retry/", views.client_retry, name="client_retry"),
    path("clients/<slug:slug>/open/", views.client_open, name="client_open"),
    path("workspaces/", views.workspaces, name="workspaces"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/new/", views.token_add, name="token_add"),
    path("tokens/<str:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("api/v1/", include((api_v1, "api"))),
]

handler400 = "smartwork.error_views.bad_request"
handler403 = "smartwork.error_views.permission_denied"
handler404 = "smartwork.error_views.page_not_found"
handler500 = "smartwork.error_views.server_error"
