"""`Authorization: Api-Key <key>` on a client's host: a key of that client, looked up in its schema only."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from apikeys.models import ApiKey
from smartwork.authentication import credential_from_header
from smartwork.tenancy import ApiKeyPrincipal, on_public_host


class TenantApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"
    credential_host = "tenant"  # where this credential works (smartwork.openapi lists it there only)

    def authenticate(self, request):
        key = credential_from_header(request, self.keyword)
        if key is None:
            return None
        if on_public_host():
            raise exceptions.AuthenticationFailed("API keys work only on their client's host.")
        try:
            api_key = ApiKey.objects.get_from_key(key)
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from None
        assert isinstance(api_key, ApiKey)  # the library's manager is typed as returning its abstract base
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return ApiKeyPrincipal(api_key, api_key.scope), api_key

    def authenticate_header(self, request):
        return "Token" if on_public_host() else self.keyword
