"""The two-tenant world the tests share: tenants A and B, each with people, keys and canary data.

Built once per test session through the product's own services (schemas by real migrations), and
committed, so request tests, Celery workers and the live server all see it.
"""

import uuid
from dataclasses import dataclass, field

from django_tenants.utils import tenant_context

from apikeys import services as apikey_services
from engagements import provisioning, services
from engagements.models import Client, Membership, User

PASSWORD = "Tenant-test-pass-42"


@dataclass
class Tenant:
    side: str
    canary: str
    client: Client
    domain: str
    consultant: User
    consultant_token: str
    admin: User
    viewer: User
    viewer_membership: Membership
    invitation_path: str
    keys: dict[str, str] = field(default_factory=dict)  # scope -> raw key
    key_prefixes: dict[str, str] = field(default_factory=dict)  # scope -> public id

    @property
    def schema(self) -> str:
        return self.client.schema_name


@dataclass
class World:
    a: Tenant
    b: Tenant

    def other(self, tenant: Tenant) -> Tenant:
        return self.b if tenant is self.a else self.a


def tenant_build(side: str) -> Tenant:
    canary = f"CANARY{side.upper()}{uuid.uuid4().hex[:10]}"
    consultant = services.consultant_create(email=f"consultant-{side}@agency.test", password=PASSWORD)
    _, token = services.consultant_token_create(consultant=consultant, name=f"{canary} token")
    client = provisioning.client_create_ready(
        name=f"{canary} Company",
        slug=f"tenant-{side}",
        domain=f"tenant-{side}.localhost",
        admin_email=f"admin-{side}@client-{side}.test",
        admin_password=PASSWORD,
        consultant_email=consultant.email,
    )
    admin = User.objects.get(email=f"admin-{side}@client-{side}.test")
    viewer_invited = services.member_invite(
        client=client, email=f"viewer-{side}@client-{side}.test", role="client_viewer", invited_by=admin
    )
    viewer = viewer_invited.user
    viewer.set_password(PASSWORD)
    viewer.save()
    services.member_invite(
        client=client, email=f"invited-{side}@client-{side}.test", role="client_viewer", invited_by=admin
    )
    services.theater_check_record(client=client, answers=[True] * 6, note=f"{canary} theater", answered_by=consultant)
    services.engagement_phase_change(client=client, to="audit", note=f"{canary} phase", changed_by=consultant)
    tenant = Tenant(
        side=side,
        canary=canary,
        client=client,
        domain=client.primary_domain,
        consultant=consultant,
        consultant_token=token,
        admin=admin,
        viewer=viewer,
        viewer_membership=viewer_invited,
        invitation_path="",
    )
    with tenant_context(client):
        for scope in ("read", "write", "admin"):
            api_key, key = apikey_services.api_key_create(name=f"{canary} {scope}", scope=scope)
            tenant.keys[scope] = key
            tenant.key_prefixes[scope] = api_key.prefix
    return tenant


def world_build() -> World:
    return World(a=tenant_build("a"), b=tenant_build("b"))
