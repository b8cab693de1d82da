"""Every route of both hosts, found by walking the URL confs, so a new route is covered by construction."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

HOST_URLCONFS = {"public": "smartwork.urls_public", "tenant": "smartwork.urls_tenant"}
PARAM_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    host: str  # "public" or "tenant"
    template: str  # e.g. "api/v1/clients/<slug:slug>/"
    name: str
    callback: object

    @property
    def id(self) -> str:
        return f"{self.host}:{self.template or '/'}"

    @property
    def params(self) -> list[str]:
        return [match["name"] for match in PARAM_RE.finditer(self.template)]

    def path(self, values: dict[str, str]) -> str:
        return "/" + PARAM_RE.sub(lambda match: str(values[match["name"]]), self.template)

    @property
    def openapi_path(self) -> str:
        return "/" + PARAM_RE.sub(lambda match: "{" + match["name"] + "}", self.template)


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or "", pattern.callback


def all_routes() -> list[Route]:
    routes = []
    for host, urlconf in HOST_URLCONFS.items():
        for template, name, callback in _walk(get_resolver(urlconf).url_patterns):
            if template.startswith("^") or template.startswith("static/"):
                raise AssertionError(f"Unexpected regex or static route {template} in {urlconf}")
            routes.append(Route(host=host, template=template, name=name, callback=callback))
    return routes
