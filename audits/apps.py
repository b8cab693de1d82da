from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Step 1: time audit"

    def ready(self) -> None:
        from audits.demo import demo_time_data
        from engagements.demo import CLIENT_SEEDERS

        if demo_time_data not in CLIENT_SEEDERS:
            CLIENT_SEEDERS.append(demo_time_data)
