"""The workspace's API keys page: list, create (the key is shown once, after the redirect), revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apikeys import selectors, services
from apikeys.forms import ApiKeyForm
from smartwork.actors import request_actor
from smartwork.pages import confirm, form_errors_from, secret_pop, secret_show_once
from smartwork.permissions import workspace_page
from smartwork.tenancy import MANAGERS


def _api_keys_render(request, *, form=None, status=200):
    context = {
        "api_keys": selectors.api_key_list(),
        "form": form or ApiKeyForm(),
        "new_key": secret_pop(request) if status == 200 else None,
    }
    return render(request, "apikeys/api_keys.html", context, status=status)


@require_GET
@workspace_page(MANAGERS)
def api_keys(request):
    return _api_keys_render(request)


@workspace_page(MANAGERS)
@require_POST
def api_key_add(request):
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            api_key, key = services.api_key_create(actor=request_actor(request), **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            secret_show_once(request, name=api_key.name, key=key)
            return redirect("api_keys")
    return _api_keys_render(request, form=form, status=400)


@require_http_methods(["GET", "POST"])
@workspace_page(MANAGERS)
def api_key_revoke(request, key_id: str):
    api_key = selectors.api_key_get(prefix=key_id)
    if request.method == "GET":
        return confirm(
            request,
            title=f"Revoke the API key {api_key.name}?",
            text="Integrations that use it stop working at once. This cannot be undone.",
            button="Revoke key",
            cancel=reverse("api_keys"),
        )
    services.api_key_revoke(api_key=api_key)
    messages.success(request, f"The key {api_key.name} was revoked.")
    return redirect("api_keys")
