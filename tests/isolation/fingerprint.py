"""Everything a tenant owns, as row sets: every table of its schema, and its rows in the public schema
(the client row, domains, memberships, assignments, engagement, phase changes, theater checks,
one-time links, its people's user rows with their password hashes, their personal tokens).

`Fingerprint` takes an md5 of each row set in one SQL query, so the harness can say after every
request whether the target's data changed, and which part.
"""

from dataclasses import dataclass

from django.db import connection

from engagements.models import (
    Assignment,
    Client,
    ConsultantToken,
    Domain,
    Engagement,
    Membership,
    OneTimeLink,
    PhaseChange,
    TheaterCheck,
    User,
)


def _table(model) -> str:
    return f'public."{model._meta.db_table}"'


def row_sets(*, client: Client, shared_people: list[int]) -> list[tuple[str, str, str]]:
    """(label, table, WHERE condition on alias t) for each part of what `client` owns. Its people are
    its members and assigned consultants, except `shared_people` (who work for other tenants too)."""
    client_id = int(client.pk)
    shared = ", ".join(str(int(pk)) for pk in shared_people) or "-1"
    people = (
        f"(SELECT user_id FROM {_table(Membership)} WHERE client_id = {client_id} "
        f"UNION SELECT consultant_id FROM {_table(Assignment)} WHERE client_id = {client_id} "
        f"AND consultant_id NOT IN ({shared}))"
    )
    engagement = f"(SELECT id FROM {_table(Engagement)} WHERE client_id = {client_id})"
    public = [
        ("client row", _table(Client), f"t.id = {client_id}"),
        ("domains", _table(Domain), f"t.tenant_id = {client_id}"),
        ("memberships", _table(Membership), f"t.client_id = {client_id}"),
        ("assignments", _table(Assignment), f"t.client_id = {client_id}"),
        ("engagement", _table(Engagement), f"t.client_id = {client_id}"),
        ("phase changes", _table(PhaseChange), f"t.engagement_id IN {engagement}"),
        ("theater checks", _table(TheaterCheck), f"t.engagement_id IN {engagement}"),
        (
            "one-time links",
            _table(OneTimeLink),
            f"t.client_id = {client_id} OR (t.client_id IS NULL AND t.user_id IN {people})",
        ),
        ("people (user rows)", _table(User), f"t.id IN {people}"),
        ("consultant tokens", _table(ConsultantToken), f"t.user_id IN {people}"),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE' "
            "ORDER BY table_name",
            [client.schema_name],
        )
        tables = [row[0] for row in cursor.fetchall()]
    assert tables, f"no tables in {client.schema_name}"
    own = [(f"{name} (its schema)", f'"{client.schema_name}"."{name}"', "TRUE") for name in tables]
    return public + own


@dataclass
class Fingerprint:
    """md5 per row set of one tenant's data."""

    sets: list[tuple[str, str, str]]

    def __post_init__(self):
        parts = [
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t WHERE {where})"
            for _, table, where in self.sets
        ]
        self.sql = f"SELECT ARRAY[{', '.join(parts)}]"

    def take(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return cursor.fetchone()[0]

    def changed(self, before: list[str], after: list[str]) -> list[str]:
        return [label for (label, _, _), old, new in zip(self.sets, before, after, strict=True) if old != new]


def text_values(sets: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """(row set, column, value) of every non-empty text value in these row sets."""
    found = []
    with connection.cursor() as cursor:
        for label, table, where in sets:
            schema, name = (part.strip('"') for part in table.split(".", 1))
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "AND data_type IN ('text', 'character varying') ORDER BY ordinal_position",
                [schema, name],
            )
            columns = [row[0] for row in cursor.fetchall()]
            if not columns:
                continue
            selected = ", ".join(f't."{column}"' for column in columns)
            cursor.execute(f"SELECT {selected} FROM {table} t WHERE {where}")
            for row in cursor.fetchall():
                found += [(label, column, value) for column, value in zip(columns, row, strict=True) if value]
    return found
