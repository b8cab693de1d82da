"""What the pages of every app share: a service's field errors on a form, a secret shown once after a
redirect, and the page that asks before a destructive action."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

NEW_SECRET_KEY = "sw_new_secret"


def form_errors_from(form, error: ValidationError) -> None:
    """Put a service's field errors on the form fields of the same name (others on the form)."""
    for field, messages_ in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, messages_)


def secret_show_once(request, **secret) -> None:
    """Keep a new secret (an API key, a token) for the one page view after the POST's redirect."""
    request.session[NEW_SECRET_KEY] = secret


def secret_pop(request) -> dict | None:
    return request.session.pop(NEW_SECRET_KEY, None)


def confirm(request, *, title: str, text: str, button: str, cancel: str):
    """The page that asks before a destructive action; it posts back to the same address."""
    return render(request, "confirm.html", {"title": title, "text": text, "button": button, "cancel": cancel})
