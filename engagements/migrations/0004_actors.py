"""Every history row stores its actor in one shape (smartwork.actors.ActorFields) instead of a
foreign key to the user: existing rows keep the person they named, with the role they acted in."""

from django.db import migrations, models

HISTORY = {  # model: the foreign key it used to name the person with
    "assignment": "assigned_by",
    "membership": "invited_by",
    "onetimelink": "created_by",
    "phasechange": "changed_by",
    "theatercheck": "answered_by",
}


def _role(apps, user, client_id):
    if user.is_consultant:
        return "consultant"
    Membership = apps.get_model("engagements", "Membership")
    membership = Membership.objects.filter(user=user, client_id=client_id).first() if client_id else None
    return membership.role if membership else ""


def actors_from_users(apps, schema_editor):
    for model_name, field in HISTORY.items():
        Model = apps.get_model("engagements", model_name)
        for row in Model.objects.select_related(field).iterator():
            user = getattr(row, field)
            if user is None:
                row.actor_kind, row.actor_label = "system", "not recorded"
            else:
                if model_name in ("phasechange", "theatercheck"):
                    client_id = row.engagement.client_id
                else:
                    client_id = row.client_id
                row.actor_kind, row.actor_label, row.actor_user_id = "person", user.email, user.pk
                row.actor_role = _role(apps, user, client_id)
            row.save(update_fields=["actor_kind", "actor_label", "actor_user_id", "actor_role"])


def actor_fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="actor_kind",
            field=models.CharField(
                choices=[
                    ("person", "person"),
                    ("api_key", "API key"),
                    ("cli", "command line"),
                    ("system", "system job"),
                ],
                default="system",
                max_length=8,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="actor_label",
            field=models.CharField(default="not recorded", max_length=300),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name, name="actor_user_id", field=models.BigIntegerField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name=model_name, name="actor_role", field=models.CharField(blank=True, max_length=16)
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("engagements", "0003_accounts_links")]

    operations = [
        *[operation for model_name in HISTORY for operation in actor_fields(model_name)],
        migrations.RunPython(actors_from_users, migrations.RunPython.noop),
        *[migrations.RemoveField(model_name=model_name, name=field) for model_name, field in HISTORY.items()],
    ]
