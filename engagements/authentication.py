"""`Authorization: Token <key>` on the public host: a consultant's personal token."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from engagements.models import ConsultantToken
from smartwork.authentication import credential_from_header
from smartwork.tenancy import on_public_host


class ConsultantTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"
    credential_host = "public"  # where this credential works (smartwork.openapi lists it there only)

    def authenticate(self, request):
        key = credential_from_header(request, self.keyword)
        if key is None:
            return None
        if not on_public_host():
            raise exceptions.AuthenticationFailed("Consultant tokens work only on the public host.")
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
