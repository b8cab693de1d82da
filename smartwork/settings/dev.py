"""Local development: DEBUG on, console e-mail."""

from .base import *  # noqa: F403

DEBUG = True
