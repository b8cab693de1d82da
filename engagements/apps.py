from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagements (public schema)"

    def ready(self):
        import smartwork.openapi  # noqa: F401  (registers the OpenAPI auth extensions)
