"""The consultancy's own (public) tenant and its host, which django-tenants routes like any domain."""

from django.conf import settings
from django.db import migrations


def public_tenant_create(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return  # django-tenants runs RunPython in every schema; this row belongs to public only.
    Client = apps.get_model("engagements", "Client")
    Domain = apps.get_model("engagements", "Domain")
    public, _ = Client.objects.get_or_create(
        schema_name="public", defaults={"name": "Consultancy", "slug": "public", "status": "ready"}
    )
    Domain.objects.get_or_create(domain=settings.PUBLIC_HOST, defaults={"tenant": public, "is_primary": True})


class Migration(migrations.Migration):
    dependencies = [("engagements", "0001_initial")]

    operations = [migrations.RunPython(public_tenant_create, migrations.RunPython.noop)]
