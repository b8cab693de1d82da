"""Routes of a client tenant's host (its workspace)."""

from django.urls import include, path

from apikeys import api as apikey_api
from apikeys import views as apikey_views
from audits import api as audit_api
from audits import api_friction, views_audit, views_survey
from audits import views as audit_views
from audits import webhooks as audit_webhooks
from engagements import api_tenant, views

api_v1 = [
    path("workspace/", api_tenant.WorkspaceApi.as_view(), name="workspace"),
    path("members/", api_tenant.MemberListCreateApi.as_view(), name="member_list"),
    path("members/<int:member_id>/", api_tenant.MemberDetailApi.as_view(), name="member_detail"),
    path("members/<int:member_id>/resend/", api_tenant.MemberResendApi.as_view(), name="member_resend"),
    path("api-keys/", apikey_api.ApiKeyListCreateApi.as_view(), name="api_key_list"),
    path("api-keys/<str:key_id>/", apikey_api.ApiKeyDetailApi.as_view(), name="api_key_detail"),
    path("audit/", audit_api.AuditSettingsApi.as_view(), name="audit_settings"),
    path("imports/", audit_api.ImportListCreateApi.as_view(), name="import_list"),
    path("imports/<int:import_id>/", audit_api.ImportDetailApi.as_view(), name="import_detail"),
    path("imports/<int:import_id>/run/", audit_api.ImportRunApi.as_view(), name="import_run"),
    path("time-entries/", audit_api.TimeEntryListCreateApi.as_view(), name="time_entry_list"),
    path("participants/", audit_api.ParticipantListApi.as_view(), name="participant_list"),
    path("participants/teams/", audit_api.ParticipantTeamsApi.as_view(), name="participant_teams"),
    path("participants/<int:participant_id>/", audit_api.ParticipantDetailApi.as_view(), name="participant_detail"),
    path("tasks/", audit_api.TaskListCreateApi.as_view(), name="task_list"),
    path("tasks/<int:task_id>/", audit_api.TaskDetailApi.as_view(), name="task_detail"),
    path("tasks/<int:task_id>/merge/", audit_api.TaskMergeApi.as_view(), name="task_merge"),
    path("mapping-rules/", audit_api.MappingRuleListCreateApi.as_view(), name="mapping_rule_list"),
    path("mapping-rules/<int:rule_id>/", audit_api.MappingRuleDetailApi.as_view(), name="mapping_rule_detail"),
    path("candidates/", audit_api.CandidateListApi.as_view(), name="candidate_list"),
    path("survey-links/", api_friction.SurveyLinkListCreateApi.as_view(), name="survey_link_list"),
    path("survey-links/<int:survey_link_id>/", api_friction.SurveyLinkDetailApi.as_view(), name="survey_link_detail"),
    path("friction-votes/", api_friction.FrictionVoteCreateApi.as_view(), name="friction_vote_create"),
    path("friction/", api_friction.FrictionSummaryApi.as_view(), name="friction"),
    path("webhooks/", audit_webhooks.WebhookSettingsApi.as_view(), name="webhook_settings"),
    path("webhooks/toggl/", audit_webhooks.TogglWebhookApi.as_view(), name="webhook_toggl"),
    path("webhooks/clockify/", audit_webhooks.ClockifyWebhookApi.as_view(), name="webhook_clockify"),
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
    path("audit/settings/", audit_views.audit_settings, name="audit_settings"),
    path("audit/imports/", audit_views.imports, name="imports"),
    path("audit/imports/<int:import_id>/", audit_views.import_detail, name="import_detail"),
    path("audit/imports/<int:import_id>/progress/", audit_views.import_progress, name="import_progress"),
    path("audit/imports/<int:import_id>/run/", audit_views.import_run, name="import_run"),
    path("audit/participants/", audit_views.participants, name="participants"),
    path("audit/participants/teams/", audit_views.participant_teams, name="participant_teams"),
    path("audit/participants/<int:participant_id>/", audit_views.participant_edit, name="participant_edit"),
    path("audit/tasks/", audit_views.tasks, name="tasks"),
    path("audit/tasks/new/", audit_views.task_add, name="task_add"),
    path("audit/tasks/<int:task_id>/", audit_views.task_edit, name="task_edit"),
    path("audit/tasks/<int:task_id>/merge/", audit_views.task_merge_page, name="task_merge"),
    path("audit/rules/new/", audit_views.mapping_rule_add, name="mapping_rule_add"),
    path("audit/rules/<int:rule_id>/delete/", audit_views.mapping_rule_remove, name="mapping_rule_delete"),
    path("audit/unmapped/rule/", audit_views.unmapped_rule_add, name="unmapped_rule_add"),
    path("audit/", views_audit.audit, name="audit"),
    path("audit/candidates.csv", views_audit.candidates_csv, name="candidates_csv"),
    path("audit/survey/", views_survey.survey_links, name="survey_links"),
    path("audit/survey/new/", views_survey.survey_link_add, name="survey_link_add"),
    path("audit/survey/<int:survey_link_id>/close/", views_survey.survey_link_revoke, name="survey_link_revoke"),
    path("survey/<str:survey_token>/", views_survey.survey, name="survey"),
    path("api/v1/", include((api_v1, "api"))),
]

handler400 = "smartwork.error_views.bad_request"
handler403 = "smartwork.error_views.permission_denied"
handler404 = "smartwork.error_views.page_not_found"
handler500 = "smartwork.error_views.server_error"
