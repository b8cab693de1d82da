"""What the API's credentials share: reading `Authorization: <scheme> <key>`. The credentials themselves
live with their models: tenant API keys in apikeys.authentication, consultants' personal tokens in
engagements.authentication (the settings name both)."""

from rest_framework import authentication, exceptions


def credential_from_header(request, keyword: str) -> str | None:
    """The key after `keyword` in the Authorization header; None when the header uses another scheme."""
    header = authentication.get_authorization_header(request).decode("latin-1")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != keyword.lower():
        return None
    value = value.strip()
    if not value or " " in value:
        raise exceptions.AuthenticationFailed(f"Invalid {keyword} header: give exactly one key.")
    return value
