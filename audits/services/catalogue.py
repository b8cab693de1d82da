"""The task catalogue: tasks, the mapping rules that send tracker labels to them, renames and merges
that move entries without losing any, and the remapping of entries already imported.

How an entry finds its task (METHOD.md section 2): the first rule by position whose field (project,
label or description) matches (equals and contains ignore case; regex is PostgreSQL's, case-
insensitive); else the task named like its label (created on first sight, names compared without
case); an entry without a label that no rule catches stays unmapped. The matching is done in SQL
over the distinct (project, label, description) combinations, never entry by entry.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max

from audits import rollups
from audits.locks import client_lock
from audits.models import LABEL_MAX_LENGTH, SUITABILITY_QUESTIONS, MappingRule, Task, TimeEntry
from audits.services.friction import friction_votes_move
from smartwork.actors import Actor

COMBOS_TABLE = "audit_combos"
REMAPPED_DAYS = "audit_remapped_days"

_RULE_MATCH = f"""
    SELECT rule.task_id FROM {MappingRule._meta.db_table} AS rule
     WHERE CASE rule.match
             WHEN 'equals' THEN lower(CASE rule.field WHEN 'project' THEN combo.project
                  WHEN 'label' THEN combo.label ELSE combo.description END) = lower(rule.pattern)
             WHEN 'contains' THEN strpos(lower(CASE rule.field WHEN 'project' THEN combo.project
                  WHEN 'label' THEN combo.label ELSE combo.description END), lower(rule.pattern)) > 0
             ELSE (CASE rule.field WHEN 'project' THEN combo.project
                  WHEN 'label' THEN combo.label ELSE combo.description END) ~* rule.pattern
           END
     ORDER BY rule.position, rule.id
     LIMIT 1
"""


def combos_map(*, source_table: str) -> None:
    """Build COMBOS_TABLE (temporary, dropped at commit): each distinct (project, label, description)
    of `source_table` with the task it maps to (NULL: unmapped), creating the tasks labels name."""
    task = Task._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COMBOS_TABLE}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {COMBOS_TABLE} ON COMMIT DROP AS
                SELECT DISTINCT project, label, description, NULL::bigint AS task_id FROM {source_table}"""
        )
        cursor.execute(f"UPDATE {COMBOS_TABLE} AS combo SET task_id = ({_RULE_MATCH})")
        cursor.execute(
            f"""INSERT INTO {task} (name, process, created_at)
                SELECT DISTINCT ON (lower(label)) label, '', now() FROM {COMBOS_TABLE}
                 WHERE task_id IS NULL AND label <> '' ORDER BY lower(label), label
                ON CONFLICT DO NOTHING"""
        )
        cursor.execute(
            f"""UPDATE {COMBOS_TABLE} AS combo SET task_id = task.id FROM {task} AS task
                 WHERE combo.task_id IS NULL AND combo.label <> '' AND lower(task.name) = lower(combo.label)"""
        )
        cursor.execute(f"CREATE INDEX ON {COMBOS_TABLE} (project, label, description)")
        cursor.execute(f"ANALYZE {COMBOS_TABLE}")


def entries_remap() -> int:
    """Map every entry again by the rules as they are now; returns how many entries changed task."""
    entry = TimeEntry._meta.db_table
    combos_map(source_table=entry)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {REMAPPED_DAYS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {REMAPPED_DAYS} (day date, entries integer) ON COMMIT DROP")
        cursor.execute(
            f"""WITH changed AS (
                UPDATE {entry} AS entry SET task_id = combo.task_id FROM {COMBOS_TABLE} AS combo
                 WHERE combo.project = entry.project AND combo.label = entry.label
                   AND combo.description = entry.description AND entry.task_id IS DISTINCT FROM combo.task_id
                RETURNING entry.day
            ) INSERT INTO {REMAPPED_DAYS} SELECT day, count(*) FROM changed GROUP BY day"""
        )
        cursor.execute(f"SELECT coalesce(sum(entries), 0) FROM {REMAPPED_DAYS}")
        changed = int(cursor.fetchone()[0])
        cursor.execute(f"DROP TABLE {COMBOS_TABLE}")
    rollups.rollups_refresh(days_sql=f"SELECT day FROM {REMAPPED_DAYS}")
    return changed


# --- tasks ------------------------------------------------------------------------------------------


def _name_clean(name: str | None, *, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({field: ["A task needs a name."]})
    if len(name) > LABEL_MAX_LENGTH:
        raise ValidationError({field: [f"A task name has at most {LABEL_MAX_LENGTH} characters."]})
    return name


def _name_free(name: str, *, other_than: Task | None = None) -> None:
    clash = Task.objects.filter(name__iexact=name)
    if other_than is not None:
        clash = clash.exclude(pk=other_than.pk)
    if clash.exists():
        raise ValidationError({"name": [f"There is already a task named '{name}'; merge into it instead."]})


def _suitability_clean(suitability: dict[str, Any] | None) -> dict[str, int | None]:
    if suitability is None:
        return {}
    unknown = set(suitability) - set(SUITABILITY_QUESTIONS)
    if unknown:
        raise ValidationError(
            {
                "suitability": [
                    f"Unknown question(s) {', '.join(sorted(unknown))}; the questions are {', '.join(SUITABILITY_QUESTIONS)}."
                ]
            }
        )
    for question, answer in suitability.items():
        if answer is not None and (isinstance(answer, bool) or not isinstance(answer, int) or not 1 <= answer <= 5):
            raise ValidationError({"suitability": [f"{question} is answered from 1 to 5 (or null for no answer)."]})
    return dict(suitability)


@transaction.atomic
def task_create(*, name: str, process: str = "", suitability: dict[str, Any] | None = None, actor: Actor) -> Task:
    name = _name_clean(name)
    _name_free(name)
    return Task.objects.create(name=name, process=(process or "").strip()[:200], **_suitability_clean(suitability))


@transaction.atomic
def task_update(
    *,
    task: Task,
    name: str | None = None,
    process: str | None = None,
    suitability: dict[str, Any] | None = None,
    actor: Actor,
) -> Task:
    """Change a task's name, process or suitability answers. A rename keeps its entries and adds a
    rule sending the old label to it, so the next import of the same export finds it too."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if name is not None:
        new_name = _name_clean(name)
        if new_name != task.name:
            _name_free(new_name, other_than=task)
            if new_name.lower() != task.name.lower():
                _label_rule_add(label=task.name, task=task, actor=actor)
            task.name = new_name
    if process is not None:
        task.process = process.strip()[:200]
    for question, answer in _suitability_clean(suitability).items():
        setattr(task, question, answer)
    task.save()
    return task


@transaction.atomic
def task_merge(*, task: Task, into: Task, actor: Actor) -> Task:
    """Merge `task` into `into`: its entries and rules move, a rule sends its label there from now
    on, and `task` goes. Nothing is lost: every minute that was on either is on `into`."""
    if task.pk == into.pk:
        raise ValidationError({"into": ["A task cannot be merged into itself."]})
    locked = {t.pk: t for t in Task.objects.select_for_update().filter(pk__in=[task.pk, into.pk]).order_by("pk")}
    task, into = locked[task.pk], locked[into.pk]
    TimeEntry.objects.filter(task=task).update(task=into)
    friction_votes_move(task=task, into=into)
    MappingRule.objects.filter(task=task).update(task=into)
    _label_rule_add(label=task.name, task=into, actor=actor)
    for question in SUITABILITY_QUESTIONS:
        if getattr(into, question) is None and getattr(task, question) is not None:
            setattr(into, question, getattr(task, question))
    into.process = into.process or task.process
    into.save()
    task.delete()
    rollups.rollups_refresh_for_tasks([into.pk])
    return into


def _label_rule_add(*, label: str, task: Task, actor: Actor) -> None:
    if MappingRule.objects.filter(field="label", match="equals", pattern__iexact=label, task=task).exists():
        return
    position = (MappingRule.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    MappingRule.objects.create(
        position=position, field="label", match="equals", pattern=label, task=task, **actor.as_fields()
    )


# --- mapping rules ----------------------------------------------------------------------------------


def _rule_clean(*, field: str, match: str, pattern: str) -> str:
    errors: dict[str, list[str]] = {}
    if field not in MappingRule.Field.values:
        errors["field"] = [f"'{field}' is not a field; choose project, label or description."]
    if match not in MappingRule.Match.values:
        errors["match"] = [f"'{match}' is not a match; choose equals, contains or regex."]
    pattern = (pattern or "").strip()
    if not pattern:
        errors["pattern"] = ["A rule needs a pattern."]
    elif len(pattern) > LABEL_MAX_LENGTH:
        errors["pattern"] = [f"A pattern has at most {LABEL_MAX_LENGTH} characters."]
    elif match == MappingRule.Match.REGEX:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT '' ~* %s", [pattern])
        except DatabaseError as error:
            reason = str((getattr(error.__cause__, "diag", None) and error.__cause__.diag.message_primary) or error)  # type: ignore[union-attr]
            errors["pattern"] = [f"'{pattern}' is not a regular expression PostgreSQL accepts: {reason}."]
    if errors:
        raise ValidationError(errors)
    return pattern


@transaction.atomic
def mapping_rule_create(
    *, field: str, match: str, pattern: str, task: Task, position: int | None = None, actor: Actor
) -> MappingRule:
    """Add a rule (at the end, or at `position`, moving later rules down) and map every entry again."""
    pattern = _rule_clean(field=field, match=match, pattern=pattern)
    _rules_lock()
    last = MappingRule.objects.aggregate(last=Max("position"))["last"] or 0
    if position is None or position > last:
        position = last + 1
    position = max(position, 1)
    MappingRule.objects.filter(position__gte=position).update(position=F("position") + 1)
    rule = MappingRule.objects.create(
        position=position, field=field, match=match, pattern=pattern, task=task, **actor.as_fields()
    )
    entries_remap()
    return rule


@transaction.atomic
def mapping_rule_update(*, rule: MappingRule, actor: Actor, **changes: Any) -> MappingRule:
    _rules_lock()
    rule = MappingRule.objects.select_for_update().get(pk=rule.pk)
    field = changes.get("field", rule.field)
    match = changes.get("match", rule.match)
    pattern = _rule_clean(field=field, match=match, pattern=changes.get("pattern", rule.pattern))
    rule.field, rule.match, rule.pattern = field, match, pattern
    if "task" in changes:
        rule.task = changes["task"]
    if "position" in changes and changes["position"] != rule.position:
        rules = list(MappingRule.objects.exclude(pk=rule.pk).order_by("position", "id"))
        index = max(0, min(int(changes["position"]) - 1, len(rules)))
        rules.insert(index, rule)
        for number, each in enumerate(rules, start=1):
            each.position = number
        MappingRule.objects.bulk_update([r for r in rules if r.pk != rule.pk], ["position"])
    rule.actor_kind, rule.actor_label, rule.actor_user_id, rule.actor_role = actor.as_fields().values()
    rule.save()
    entries_remap()
    return rule


@transaction.atomic
def mapping_rule_delete(*, rule: MappingRule, actor: Actor) -> None:
    _rules_lock()
    MappingRule.objects.filter(pk=rule.pk).delete()
    entries_remap()


def _rules_lock() -> None:
    """One change to the rules at a time per client, and none while entries are being mapped (imports
    and arrivals hold it shared, rules_read_lock): each change remaps every committed entry."""
    client_lock("rules")


def rules_read_lock() -> None:
    """Held by a write that maps new entries by the rules, until it commits: many at once, but no
    rule change in between (whose remap could not see these uncommitted entries)."""
    client_lock("rules", shared=True)
