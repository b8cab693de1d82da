"""Changes to one workspace's people that race each other: the rule still holds (real threads, each
with its own database connection, on committed data)."""

import threading

from django.db import connection

from engagements import services
from engagements.models import Membership, User
from smartwork.actors import Actor
from smartwork.errors import Conflict


def test_two_admins_removing_each_other_at_once_leave_one_admin(world, committed):
    client = services.client_create_ready(
        actor=Actor.cli("tests"),
        name="Race Co",
        slug="race-co",
        domain="race-co.localhost",
        admin_email="one@race.test",
        admin_password="Race-one-pass-11",
    )
    two = services.member_invite(client=client, email="two@race.test", role="client_admin", actor=Actor.cli("tests"))
    one = Membership.objects.get(client=client, user__email="one@race.test")
    barrier = threading.Barrier(2)
    outcomes = []

    def remove(membership):
        try:
            barrier.wait(timeout=10)
            services.member_remove(membership=membership, actor=Actor.cli("tests"))
            outcomes.append("removed")
        except Conflict:
            outcomes.append("refused")
        except Exception as error:  # reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=(m,)) for m in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "removed"]
    assert Membership.objects.filter(client=client, role="client_admin").count() == 1
    User.objects.filter(email__in=["one@race.test", "two@race.test"]).delete()
