"""Pages of both hosts: sign-in and passwords, the consultant's portfolio, client pages and tokens,
the hand-over to a workspace, and the client workspace with its people (its API keys page is in
apikeys.views).

Every POST that changes something answers with a redirect (refreshing never repeats it); a secret
made by a POST (an API key, a token) is kept in the session for the one page view that shows it.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from kombu.exceptions import OperationalError

from engagements import selectors, services, tasks
from engagements.forms import (
    ClientForm,
    HostLoginForm,
    MemberForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    PhaseForm,
    TheaterCheckForm,
    TokenForm,
)
from engagements.links import link_check, link_lifetime_words
from engagements.middleware import session_bind_to_host
from engagements.models import THEATER_SIGNS, OneTimeLink
from smartwork.actors import request_actor
from smartwork.errors import ApplicationError
from smartwork.netaddr import client_address
from smartwork.pages import confirm, form_errors_from, secret_pop, secret_show_once
from smartwork.permissions import consultant_page, workspace_page
from smartwork.tenancy import MANAGERS, on_public_host, workspace_url

SIGN_IN_BACKEND = "engagements.backends.HostAccessBackend"
logger = logging.getLogger(__name__)


def _host_client(request):
    """The client whose host this is, or None on the public host."""
    return None if on_public_host() else request.tenant


def _address_limited(request, group: str) -> bool:
    """Count one attempt of this kind from the client's address; True when it is over the limit."""
    return is_ratelimited(
        request,
        group=group,
        key=lambda _group, req: client_address(req) or "no-address",
        rate=settings.SIGN_IN_RATE_PER_ADDRESS,
        method=ALL,
        increment=True,
    )


def rate_limited(request):
    return render(request, "429.html", status=429)


def _signed_in(request, user) -> None:
    """Start this host's own session for `user` (bound to this host) and mark them joined here."""
    auth_login(request, user, backend=SIGN_IN_BACKEND)
    session_bind_to_host(request)
    client = _host_client(request)
    if client is not None:
        services.membership_joined(user=user, client=client)


class LoginView(auth_views.LoginView):
    # HostLoginForm is not an AuthenticationForm (it gives one answer to every refusal), but it takes
    # the same request argument and has the get_user() that form_valid uses, which is all LoginView needs.
    form_class = HostLoginForm  # type: ignore[assignment]
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _address_limited(request, "sign-in"):
            return rate_limited(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        _signed_in(self.request, form.get_user())
        return redirect(self.get_success_url())

    def get_success_url(self):
        """`next`, unless it leads back to this page (a redirect loop): then the home page."""
        target = super().get_success_url()
        return self.get_default_redirect_url() if urlsplit(target).path == self.request.path else target


@require_GET
def home(request):
    return portfolio(request) if on_public_host() else workspace_home(request)


# --- passwords and one-time links (both hosts) ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset_request(request):
    """'Forgot password': the same answer whether or not the address has an account here."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST":
        if _address_limited(request, "password-reset"):
            return rate_limited(request)
        if form.is_valid():
            client = _host_client(request)
            try:
                tasks.password_reset_request.delay(form.cleaned_data["email"], client.pk if client else None)
            except OperationalError:
                logger.exception("Queueing a password reset failed")  # the person can ask again
            return redirect("password_reset_sent")
    lifetime = link_lifetime_words(OneTimeLink.Purpose.PASSWORD_RESET)
    return render(request, "registration/password_reset_request.html", {"form": form, "lifetime": lifetime})


@require_GET
def password_reset_sent(request):
    lifetime = link_lifetime_words(OneTimeLink.Purpose.PASSWORD_RESET)
    return render(request, "registration/password_reset_sent.html", {"lifetime": lifetime})


def _link_refused_page(request, *, purpose: str, problem: str):
    status = 404 if problem == "unknown" else 410
    context = {"purpose": purpose, "problem": problem}
    return render(request, "registration/link_refused.html", context, status=status)


def _password_link_page(request, *, token: str, purpose: str, template: str):
    """An invitation or reset link: GET shows the form, POST sets the password (spending the link)
    and signs the person in on this host."""
    client = _host_client(request)
    checked = link_check(token=token, purpose=purpose, client=client)
    if checked.problem is not None:
        return _link_refused_page(request, purpose=purpose, problem=checked.problem)
    assert checked.link is not None  # a link with no problem is usable, so it is there
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_set_with_link(
                token=token,
                purpose=purpose,
                client=client,
                password=form.cleaned_data["new_password1"],
                address=client_address(request),
            )
        except services.LinkRefused as refused:
            return _link_refused_page(request, purpose=purpose, problem=refused.reason)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            _signed_in(request, user)
            messages.success(request, "Your password is set; you are signed in.")
            return redirect("home")
    return render(request, template, {"form": form, "person": checked.link.user, "expires_at": checked.link.expires_at})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, token: str):
    return _password_link_page(
        request, token=token, purpose=OneTimeLink.Purpose.PASSWORD_RESET, template="registration/password_reset.html"
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Set a password from an invitation e-mail (no account needed yet). The link works once."""
    if on_public_host():
        raise Http404("Invitations open on the workspace's own address.")
    return _password_link_page(
        request, token=token, purpose=OneTimeLink.Purpose.INVITATION, template="registration/invitation.html"
    )


@require_GET
def handover(request, token: str):
    """A consultant arrives from the portfolio with a one-time token: this host's own session begins."""
    if on_public_host():
        raise Http404("A hand-over opens on a workspace's address.")
    try:
        user = services.handover_spend(token=token, client=request.tenant)
    except services.LinkRefused as refused:
        return _link_refused_page(request, purpose=OneTimeLink.Purpose.HANDOVER, problem=refused.reason)
    _signed_in(request, user)
    next_path = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None) or not next_path.startswith("/"):
        next_path = reverse("home")
    return redirect(next_path)


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
                actor=request_actor(request),
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if data["admin_email"]:
                messages.info(request, f"An invitation was e-mailed to {data['admin_email'].lower()}.")
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
        "phase_changes": engagement.phase_changes.all()[:20],
        "theater_checks": engagement.theater_checks.all()[:20],
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


@require_GET
@consultant_page
def workspaces(request):
    """The workspace switcher as a page: where a workspace's "Switch workspace" link leads."""
    return render(request, "engagements/workspaces.html")


@require_GET
@consultant_page
def client_open(request, slug: str):
    """Open an assigned client's workspace signed in: a one-time hand-over token for that host.

    A GET so that it works as a plain link (the workspace switcher on every host): minting a token
    for oneself changes nothing anyone else can see, and the token only ever reaches this browser."""
    client = selectors.client_get_for_consultant(consultant=request.user, slug=slug)
    if not client.is_ready:
        messages.info(request, f"{client.name} is not ready yet.")
        return redirect("client_detail", slug=slug)
    token = services.handover_create(consultant=request.user, client=client, actor=request_actor(request))
    return redirect(workspace_url(client, f"/handover/{token}/"))


@consultant_page
@require_POST
def client_phase(request, slug: str):
    client = selectors.client_get_for_consultant(consultant=request.user, slug=slug)
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            services.engagement_phase_change(client=client, actor=request_actor(request), **form.cleaned_data)
            messages.success(request, f"Phase changed to {form.cleaned_data['to']}.")
        except ApplicationError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            # A single error has .message; one made from a list or a dict has only .messages.
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
    else:
        messages.error(request, "Choose a phase (a note has at most 2,000 characters).")
    return redirect("client_detail", slug=slug)


@consultant_page
@require_POST
def client_theater_check(request, slug: str):
    context = _client_context(request, slug)
    form = TheaterCheckForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "The check was not saved: " + " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
        return redirect("client_detail", slug=slug)
    if not any(form.answers()) and not form.cleaned_data["confirm_none"]:
        # Nothing ticked may be a slip: ask before recording "no sign of AI theater at all".
        return render(request, "engagements/theater_confirm_none.html", {**context, "form": form})
    check = services.theater_check_record(
        client=context["client"], answers=form.answers(), note=form.cleaned_data["note"], actor=request_actor(request)
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


@require_GET
@consultant_page
def tokens(request):
    context = {
        "tokens": selectors.consultant_token_list(consultant=request.user),
        "form": TokenForm(),
        "new_secret": secret_pop(request),
    }
    return render(request, "engagements/tokens.html", context)


@consultant_page
@require_POST
def token_add(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.consultant_token_create(consultant=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            secret_show_once(request, name=token.name, key=key)
            return redirect("tokens")
    context = {"tokens": selectors.consultant_token_list(consultant=request.user), "form": form}
    return render(request, "engagements/tokens.html", context, status=400)


@require_http_methods(["GET", "POST"])
@consultant_page
def token_revoke(request, token_id: str):
    token = selectors.consultant_token_get(consultant=request.user, token_id=token_id)
    if request.method == "GET":
        return confirm(
            request,
            title=f"Revoke the token {token.name}?",
            text="Scripts that use it stop working at once. This cannot be undone.",
            button="Revoke token",
            cancel=reverse("tokens"),
        )
    services.consultant_token_revoke(token=token)
    messages.success(request, f"The token {token.name} was revoked.")
    return redirect("tokens")


# --- tenant host ----------------------------------------------------------------------------------


@require_GET
@workspace_page()
def workspace_home(request):
    return render(request, "engagements/workspace_home.html", {"client": request.tenant})


@require_GET
@workspace_page(MANAGERS)
def people(request):
    return _people_render(request)


def _people_render(request, *, member_form=None, status=200):
    context = {
        "members": selectors.membership_list(client=request.tenant),
        "member_form": member_form or MemberForm(),
        "invitation_lifetime": link_lifetime_words(OneTimeLink.Purpose.INVITATION),
    }
    return render(request, "engagements/people.html", context, status=status)


@workspace_page(MANAGERS)
@require_POST
def member_add(request):
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            membership = services.member_invite(
                client=request.tenant, actor=request_actor(request), **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"An invitation was e-mailed to {membership.user.email}.")
            return redirect("people")
    return _people_render(request, member_form=form, status=400)


@workspace_page(MANAGERS)
@require_POST
def member_resend(request, member_id: int):
    membership = selectors.membership_get(client=request.tenant, membership_id=member_id)
    try:
        services.member_invitation_resend(membership=membership, actor=request_actor(request))
        messages.success(request, f"The invitation was e-mailed to {membership.user.email} again.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("people")


@require_http_methods(["GET", "POST"])
@workspace_page(MANAGERS)
def member_remove(request, member_id: int):
    membership = selectors.membership_get(client=request.tenant, membership_id=member_id)
    if request.method == "GET":
        return confirm(
            request,
            title=f"Remove {membership.user.email}?",
            text=f"They lose access to {request.tenant.name} at once. You can invite them again later.",
            button="Remove member",
            cancel=reverse("people"),
        )
    try:
        services.member_remove(membership=membership, actor=request_actor(request))
        messages.success(request, f"{membership.user.email} was removed.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("people")


def csrf_failure(request, reason: str = ""):
    """The CSRF refusal as a page of ours, with the reason."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
