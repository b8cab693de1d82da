from django_tenants.utils import tenant_context

from apikeys.models import ApiKey


def test_the_two_tenants_live_in_two_schemas_with_their_own_keys(world, db):
    assert world.a.schema != world.b.schema
    assert world.a.schema.startswith("t_") and "tenant" not in world.a.schema
    with tenant_context(world.a.client):
        names = set(ApiKey.objects.values_list("name", flat=True))
    assert names and all(world.a.canary in name for name in names)
