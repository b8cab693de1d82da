"""Routes of a client tenant's host (its workspace)."""

from django.urls import include, path

from apikeys import api as apikey_api
from apikeys import views as apikey_views
from engagements import api_tenant, views

api_v1 = [
    path("workspace/", api_tenant.WorkspaceApi.as_view(), name="workspace"),
    path("members/", api_tenant.MemberListCreateApi.as_view(), name="member_list"),
    path("members/<int:member_id>/", api_tenant.MemberDetailApi.as_view(), name="member_detail"),
    path("members/<int:member_id>/resend/", api_tenant.MemberResendApi.as_view(), name="member_resend"),
    path("api-keys/", apikey_api.ApiKeyListCreateApi.as_view(), name="api_key_list"),
    path("api-keys/<str:key_id>/", apikey_api.ApiKeyDetailApi.as_view(), name="api_key_detail"),
]

urlpatterns = [
    path("", include("smartwork.urls_common")),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("handover/<str:token>/", views.handover, name="handover"),
    path("people/", views.people, name="people"),
    path("people/members/", views.member_add, name="member_add"),
    path("people/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("people/members/<int:member_id>/resend/", views.member_resend, name="member_resend"),
    path("api-keys/", apikey_views.api_keys, name="api_keys"),
    path("api-keys/new/", apikey_views.api_key_add, name="api_key_add"),
    path("api-keys/<str:key_id>/revoke/", apikey_views.api_key_revoke, name="api_key_revoke"),
    path("api/v1/", include((api_v1, "api"))),
]

handler400 = "smartwork.error_views.bad_request"
handler403 = "smartwork.error_views.permission_denied"
handler404 = "smartwork.error_views.page_not_found"
handler500 = "smartwork.error_views.server_error"
