"""Pages of both hosts: sign-in, the consultant's portfolio and client pages, the client workspace."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apikeys import selectors as apikey_selectors
from apikeys import services as apikey_services
from engagements import selectors, services
from engagements.forms import (
    ApiKeyForm,
    ClientForm,
    HostLoginForm,
    InvitationForm,
    MemberForm,
    PhaseForm,
    TheaterCheckForm,
)
from engagements.invitations import invitation_user
from engagements.middleware import session_bind_to_host
from engagements.models import THEATER_SIGNS
from smartwork.errors import ApplicationError
from smartwork.permissions import consultant_page, workspace_page
from smartwork.tenancy import MANAGERS, on_public_host, workspace_url


class LoginView(auth_views.LoginView):
    form_class = HostLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        session_bind_to_host(self.request)
        return response


@require_GET
def home(request):
    return portfolio(request) if on_public_host() else workspace_home(request)


def _form_errors_from(form, error: ValidationError) -> None:
    """Put a service's field errors on the form fields of the same name (others on the form)."""
    for field, messages_ in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, messages_)


# --- public host ----------------------------------------------------------------------------------


@require_GET
@consultant_page
def portfolio(request):
    rows = selectors.portfolio(consultant=request.user)
    return render(request, "engagements/portfolio.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@consultant_page
def client_new(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        domain = data["domain"] or f"{data['slug']}.{settings.TENANT_DOMAIN_SUFFIX}"
        try:
            created = services.client_create(
                name=data["name"],
                slug=data["slug"],
                domain=domain,
                admin_email=data["admin_email"] or None,
                created_by=request.user,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            if created.admin_invitation_path:
                link = workspace_url(request, created.client, created.admin_invitation_path)
                messages.info(request, f"Send {data['admin_email']} this link to set a password: {link}")
            if created.from_pool:
                messages.success(request, f"{created.client.name} is ready.")
            else:
                messages.info(request, f"{created.client.name} is being provisioned; this page updates by itself.")
            return redirect("client_detail", slug=created.client.slug)
    return render(request, "engagements/client_new.html", {"form": form})


def _client_context(request, slug: str) -> dict:
    client = selectors.client_get_for_consultant(consultant=request.user, slug=slug)
    engagement = client.engagement
    return {
        "client": client,
        "engagement": engagement,
        "workspace_url": workspace_url(request, client),
        "phase_changes": engagement.phase_changes.select_related("changed_by")[:20],
        "theater_checks": engagement.theater_checks.select_related("answered_by")[:20],
        "signs": THEATER_SIGNS,
    }


@require_GET
@consultant_page
def client_detail(request, slug: str):
    context = _client_context(request, slug)
    context["phase_form"] = PhaseForm(initial={"to": context["engagement"].phase})
    context["theater_form"] = TheaterCheckForm()
    return render(request, "engagements/client_detail.html", context)


@require_GET
@consultant_page
def client_status(request, slug: str):
    """The status fragment the client page polls (HTMX) while a schema is provisioned."""
    return render(request, "engagements/_client_status.html", _client_context(request, slug))


@consultant_page
@require_POST
def client_phase(request, slug: str):
    client = selectors.client_get_for_consultant(consultant=request.user, slug=slug)
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            services.engagement_phase_change(client=client, changed_by=request.user, **form.cleaned_data)
            messages.success(request, f"Phase changed to {form.cleaned_data['to']}.")
        except (ValidationError, ApplicationError) as error:
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
    else:
        messages.error(request, "Choose a phase.")
    return redirect("client_detail", slug=slug)


@consultant_page
@require_POST
def client_theater_check(request, slug: str):
    client = selectors.client_get_for_consultant(consultant=request.user, slug=slug)
    form = TheaterCheckForm(request.POST)
    if form.is_valid():
        check = services.theater_check_record(
            client=client, answers=form.answers(), note=form.cleaned_data["note"], answered_by=request.user
        )
        verdict = "at risk of AI theater" if check.at_risk else "not at risk"
        messages.success(request, f"Theater check saved: score {check.score} of 6, {verdict}.")
    return redirect("client_detail", slug=slug)


@consultant_page
@require_POST
def client_retry(request, slug: str):
    client = selectors.client_get_for_consultant(consultant=request.user, slug=slug)
    try:
        services.client_provision_retry(client=client)
        messages.info(request, "Provisioning again.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("client_detail", slug=slug)


# --- tenant host ----------------------------------------------------------------------------------


@require_GET
@workspace_page()
def workspace_home(request):
    return render(request, "engagements/workspace_home.html", {"client": request.tenant})


@require_GET
@workspace_page(MANAGERS)
def people(request):
    return _people_render(request)


def _people_render(request, *, member_form=None, key_form=None, new_key=None, invitation_url=None, status=200):
    context = {
        "members": selectors.membership_list(client=request.tenant),
        "api_keys": apikey_selectors.api_key_list(),
        "member_form": member_form or MemberForm(),
        "key_form": key_form or ApiKeyForm(),
        "new_key": new_key,
        "invitation_url": invitation_url,
    }
    return render(request, "engagements/people.html", context, status=status)


@workspace_page(MANAGERS)
@require_POST
def member_add(request):
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            invited = services.member_invite(client=request.tenant, invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            url = request.build_absolute_uri(invited.invitation_path) if invited.invitation_path else None
            messages.success(request, f"{form.cleaned_data['email']} was added.")
            return _people_render(request, invitation_url=url)
    return _people_render(request, member_form=form, status=400)


@workspace_page(MANAGERS)
@require_POST
def member_remove(request, member_id: int):
    membership = selectors.membership_get(client=request.tenant, membership_id=member_id)
    try:
        services.member_remove(membership=membership, removed_by=request.user)
        messages.success(request, f"{membership.user.email} was removed.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("people")


@workspace_page(MANAGERS)
@require_POST
def api_key_add(request):
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            api_key, key = apikey_services.api_key_create(created_by_user_id=request.user.pk, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            return _people_render(request, new_key={"name": api_key.name, "key": key})
    return _people_render(request, key_form=form, status=400)


@workspace_page(MANAGERS)
@require_POST
def api_key_revoke(request, key_id: str):
    api_key = apikey_selectors.api_key_get(prefix=key_id)
    apikey_services.api_key_revoke(api_key=api_key)
    messages.success(request, f"The key {api_key.name} was revoked.")
    return redirect("people")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64: str, token: str):
    """Set a password from an invitation link (no account needed yet). The link works once."""
    user = invitation_user(uidb64=uidb64, token=token)
    if user is None or on_public_host() or not request.tenant.memberships.filter(user=user).exists():
        raise Http404("This invitation link is not valid (it may have been used already).")
    form = InvitationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        session_bind_to_host(request)
        messages.success(request, "Welcome! Your password is set.")
        return redirect("home")
    return render(request, "registration/invitation.html", {"form": form, "invited": user})
