"""API credentials: tenant API keys on tenant hosts, consultants' personal tokens on the public host."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from smartwork.tenancy import ApiKeyPrincipal, on_public_host


def _credential(request, keyword: str) -> str | None:
    header = authentication.get_authorization_header(request).decode("latin-1")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != keyword.lower():
        return None
    value = value.strip()
    if not value or " " in value:
        raise exceptions.AuthenticationFailed(f"Invalid {keyword} header: give exactly one key.")
    return value


class TenantApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: a key of this tenant, looked up in this tenant's schema only."""

    keyword = "Api-Key"

    def authenticate(self, request):
        key = _credential(request, self.keyword)
        if key is None:
            return None
        if on_public_host():
            raise exceptions.AuthenticationFailed("API keys work only on their client's host.")
        from apikeys.models import ApiKey

        try:
            api_key = ApiKey.objects.get_from_key(key)
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return "Token" if on_public_host() else self.keyword


class ConsultantTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`: a consultant's personal token, for the public host only."""

    keyword = "Token"

    def authenticate(self, request):
        key = _credential(request, self.keyword)
        if key is None:
            return None
        if not on_public_host():
            raise exceptions.AuthenticationFailed("Consultant tokens work only on the public host.")
        from engagements.models import ConsultantToken

        try:
            token = ConsultantToken.objects.get_from_key(key)
        except ConsultantToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Unknown or revoked token.") from None
        assert isinstance(token, ConsultantToken)  # the library's manager is typed as returning its abstract base
        if token.has_expired or not token.user.is_active or not token.user.is_consultant:
            raise exceptions.AuthenticationFailed("This token is no longer valid.")
        ConsultantToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
