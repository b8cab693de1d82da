"""seed_demo's time data: imported through the real import path, once, telling a true story."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db.models import Count, Sum
from django_tenants.utils import tenant_context

from audits.demo import TEAMS
from audits.models import FrictionVote, ImportJob, Participant, TimeEntry
from audits.selectors import candidate_list
from engagements.models import Client


def test_seed_demo_imports_each_clients_four_weeks_once_with_their_teams(committed):
    call_command("seed_demo", stdout=StringIO())
    seen = {}
    for slug in ("northwind", "acme"):
        with tenant_context(Client.objects.get(slug=slug)):
            job = ImportJob.objects.get()
            assert job.status == "succeeded" and job.rows_imported == TimeEntry.objects.count() > 1000
            assert job.actor.role == "consultant"
            teams = dict(Participant.objects.values_list("team").annotate(n=Count("id")))
            assert teams == TEAMS[slug]  # Northwind's from its export, Acme's from the identity,team CSV
            busiest = TimeEntry.objects.values("task__name").annotate(m=Sum("minutes")).order_by("-m").first()
            seen[slug] = (job.format, busiest["task__name"])
    assert seen["northwind"][0] == "clockify" and seen["acme"][0] == "toggl"
    for slug, top_task, monthly in (
        ("northwind", "Answer shipment status emails", "Monthly board report"),
        ("acme", "Confirm appointments by phone", "Monthly supplier reconciliation"),
    ):
        with tenant_context(Client.objects.get(slug=slug)):
            ranked = {c.task_name: c for c in candidate_list()}
            assert min(ranked.values(), key=lambda c: c.rank).task_name == top_task
            assert ranked[monthly].rank > 3  # a monthly chore never outranks the daily, repetitive work
            assert all(c.votes > 0 and c.automation_potential != Decimal("0.5") for c in ranked.values())
            assert FrictionVote.objects.exclude(note="").exists()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue().startswith("Demo: already there.")
    with tenant_context(Client.objects.get(slug="acme")):
        assert ImportJob.objects.count() == 1
