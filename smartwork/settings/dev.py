"""Local development (`make run`): the product's own error pages unless DJANGO_DEBUG=1, e-mails as
files under .local/mail/ (each invitation or reset e-mail is one file there)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Static files straight from the source folders, with DEBUG off too (no collectstatic in development).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / ".local" / "mail"))
