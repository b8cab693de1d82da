"""Transaction-level locks of one client's time audit, by name: held until the transaction ends, so a
crashed worker never keeps one. Advisory locks are per database, so the key names the client's schema.

Order, wherever more than one is taken: rules, then participants, then rollups.
"""

from django.db import connection


def client_lock(name: str, *, shared: bool = False) -> None:
    """Wait for this client's lock `name` (shared: many holders at once, none exclusive beside them)."""
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtext(current_schema() || ':' || %s))", [name])
