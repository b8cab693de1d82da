"""The client's audit settings (API.md GET|PATCH /api/v1/audit/)."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.models import AuditSettings
from audits.selectors import WINDOW_MAX_DAYS, audit_settings_get, working_days
from engagements.models import Client
from engagements.services import client_workspace_update
from smartwork.actors import Actor

SETTING_FIELDS = (
    "window_start",
    "window_end",
    "working_days",
    "working_days_per_month",
    "hourly_cost",
    "timezone",
    "holidays",
    "k",
    "keep_names",
)


@transaction.atomic
def audit_settings_update(
    *, client: Client, actor: Actor, currency: str | None = None, **changes: Any
) -> AuditSettings:
    """Change the fields given; a window must hold at least one working day (METHOD.md)."""
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError({field: ["Not an audit setting."] for field in unknown})
    audit = AuditSettings.objects.select_for_update().get(pk=audit_settings_get().pk)
    for field, value in changes.items():
        setattr(audit, field, value)
    errors: dict[str, list[str]] = {}
    if "timezone" in changes and audit.timezone not in zoneinfo.available_timezones():
        errors["timezone"] = [f"'{audit.timezone}' is not a time zone; use an IANA name such as Europe/Berlin."]
    if not audit.working_days or any(not 1 <= day <= 7 for day in audit.working_days):
        errors["working_days"] = ["Working days are ISO weekday numbers, 1 (Monday) to 7 (Sunday); give at least one."]
    audit.working_days = sorted(set(audit.working_days))
    if audit.working_days_per_month is None or not Decimal(0) < Decimal(audit.working_days_per_month) <= 31:
        errors["working_days_per_month"] = ["Working days per month is more than 0 and at most 31."]
    if audit.hourly_cost is None or Decimal(audit.hourly_cost) < 0:
        errors["hourly_cost"] = ["The hourly cost cannot be negative."]
    if audit.k is None or not 2 <= audit.k <= 100:
        errors["k"] = ["k (the smallest team shown on its own) is from 2 to 100."]
    audit.holidays = sorted(set(audit.holidays or []))
    start, end = audit.window_start, audit.window_end
    if (start is None) != (end is None):
        errors["window_end" if end is None else "window_start"] = ["Give both ends of the window, or neither."]
    elif isinstance(start, date) and isinstance(end, date):
        if start > end:
            errors["window_end"] = ["The window ends before it starts."]
        elif (end - start).days >= WINDOW_MAX_DAYS:
            errors["window_end"] = [f"An audit window covers at most {WINDOW_MAX_DAYS:,} days."]
        elif not errors and not working_days(start=start, end=end, audit=audit):
            errors["window_start"] = [
                f"The window {start} to {end} has no working day (weekends and holidays do not count); "
                "choose dates that include at least one."
            ]
    if errors:
        raise ValidationError(errors)
    if currency is not None:
        client_workspace_update(client=client, currency=currency)
    audit.save()
    return audit
