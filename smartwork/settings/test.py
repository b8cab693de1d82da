"""Test settings: fast hashing, real PostgreSQL and Redis, an isolated Celery queue and cache prefix."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test run never eats a developer's queued jobs, nor they its.
# The test session hands its queue to the workers it starts (SMARTWORK_CELERY_QUEUE).
CELERY_TASK_DEFAULT_QUEUE = env("SMARTWORK_CELERY_QUEUE", default=f"smartwork-test-{os.getpid()}")
CACHES["default"]["KEY_PREFIX"] = f"swtest{os.getpid()}"
CACHES["ratelimit"]["KEY_PREFIX"] = f"swtest{os.getpid()}-rl"
# The suite signs in hundreds of times from 127.0.0.1; the per-address limit has its own test.
SIGN_IN_RATE_PER_ADDRESS = "100000/m"
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default="")
# Links in test e-mails carry no port (the live stack sets its own through the environment).
PUBLIC_URL = env("SMARTWORK_PUBLIC_URL", default="http://localhost")
TENANT_POOL_SIZE = 0
AXES_FAILURE_LIMIT = 3
# The live server the browser tests start serves static files straight from the source folders.
WHITENOISE_USE_FINDERS = True
# One test database per run, so two test runs on one machine never drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": env("SMARTWORK_TEST_DATABASE", default=f"test_smartwork_{os.getpid()}")}
# Uploads waiting for their import job: a folder of this test run's own (a worker subprocess is told
# the same through SMARTWORK_IMPORT_DIR).
IMPORT_DIR = Path(
    env("SMARTWORK_IMPORT_DIR", default=str(Path(tempfile.gettempdir()) / f"smartwork-test-imports-{os.getpid()}"))
)
