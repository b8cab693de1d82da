"""Every Celery beat entry of the product lives here."""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # Keep the pool of ready tenants full even if a claim's refill was lost.
    "tenant-pool-refill": {
        "task": "engagements.tasks.tenant_pool_refill",
        "schedule": crontab(minute="*/5"),
    },
    # A job of the previous release may finish after a deploy's migrate_tenants with the old
    # migrations: bring such schemas current (one query when none is behind).
    "tenant-schemas-bring-current": {
        "task": "engagements.tasks.tenant_schemas_bring_current",
        "schedule": crontab(minute="*/5"),
    },
    # One-time links that stopped working more than 30 days ago (engagements.links.LINKS_KEPT_FOR).
    "links-purge": {
        "task": "engagements.tasks.links_purge",
        "schedule": crontab(hour=3, minute=17),
    },
    # Queue again the provisioning of clients whose job was lost (broker down, worker killed).
    "client-provision-stalled": {
        "task": "engagements.tasks.client_provision_stalled",
        "schedule": crontab(minute="*/5"),
    },
}
