"""An API key stores who made it as an actor (smartwork.actors.ActorFields). Keys made by a person
keep that person; only consultants and client admins may make keys, so that is the role."""

from django.db import migrations, models

FROM_USER_ID = """
UPDATE apikeys_apikey AS key
   SET actor_kind = 'person', actor_label = person.email, actor_user_id = person.id,
       actor_role = CASE WHEN person.is_consultant THEN 'consultant' ELSE 'client_admin' END
  FROM public.engagements_user AS person
 WHERE person.id = key.created_by_user_id
"""


class Migration(migrations.Migration):
    dependencies = [("apikeys", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apikey",
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
            model_name="apikey",
            name="actor_label",
            field=models.CharField(default="not recorded", max_length=300),
            preserve_default=False,
        ),
        migrations.AddField(model_name="apikey", name="actor_user_id", field=models.BigIntegerField(blank=True, null=True)),
        migrations.AddField(model_name="apikey", name="actor_role", field=models.CharField(blank=True, max_length=16)),
        migrations.RunSQL(FROM_USER_ID, migrations.RunSQL.noop),
        migrations.RemoveField(model_name="apikey", name="created_by_user_id"),
    ]
