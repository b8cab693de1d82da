"""OpenAPI descriptions of SmartWork's own credentials (loaded by drf-spectacular via AppConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TenantApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "smartwork.authentication.TenantApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` on the client's own host (tenant API).",
        }


class ConsultantTokenScheme(OpenApiAuthenticationExtension):
    target_class = "smartwork.authentication.ConsultantTokenAuthentication"
    name = "ConsultantToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a consultant's personal token, on the public host.",
        }
