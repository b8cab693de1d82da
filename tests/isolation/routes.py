"""Every route of both hosts, found by walking the URL confs, and what each takes in a body: the
request serializer of its OpenAPI operation (API routes) or the forms its view uses (pages). A new
route, and a new field of a route, is covered by construction."""

import inspect
import re
from dataclasses import dataclass
from functools import cache

from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

HOST_URLCONFS = {"public": "smartwork.urls_public", "tenant": "smartwork.urls_tenant"}
PARAM_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
METHODS = ("get", "post", "put", "patch", "delete")


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

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/")

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


# --- what a route takes in a body -------------------------------------------------------------------


@cache
def openapi_schema(host: str) -> dict:
    return SchemaGenerator(urlconf=HOST_URLCONFS[host]).get_schema(request=None, public=True)


def openapi_operations(host: str) -> set[tuple[str, str]]:
    schema = openapi_schema(host)
    return {(path, method) for path, item in schema["paths"].items() for method in item if method in METHODS}


def resolve(schema: dict, node: dict) -> dict:
    """A schema node with its $ref (and a lone allOf, drf-spectacular's way of adding a default) followed."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1:
            node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
        else:
            return node


def request_body_schema(route: Route, method: str) -> tuple[dict, dict] | None:
    """(the whole OpenAPI schema, the JSON request body's schema) of this API operation, or None."""
    schema = openapi_schema(route.host)
    operation = schema["paths"].get(route.openapi_path, {}).get(method)
    if not operation or "requestBody" not in operation:
        return None
    content = operation["requestBody"]["content"]
    media = content.get("application/json") or next(iter(content.values()))
    return schema, media["schema"]


def page_forms(callback) -> list[type[forms.BaseForm]]:
    """The form classes a page's view uses: its form_class, or the forms named in its function and in
    the functions of its own module it calls (e.g. member_add -> _people_render -> MemberForm)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        form_class = getattr(view_class, "form_class", None)
        return [form_class] if form_class else []
    found: list[type[forms.BaseForm]] = []
    seen: set = set()

    def walk(function) -> None:
        if function in seen:
            return
        seen.add(function)
        code_objects = [function.__code__]
        names: list[str] = []
        while code_objects:  # nested code too (lambdas, comprehensions)
            code = code_objects.pop()
            names += code.co_names
            code_objects += [const for const in code.co_consts if inspect.iscode(const)]
        for name in names:
            target = function.__globals__.get(name)
            if inspect.isclass(target) and issubclass(target, forms.BaseForm):
                if target not in found:
                    found.append(target)
            elif inspect.isfunction(target) and target.__module__ == function.__module__:
                walk(inspect.unwrap(target))

    walk(inspect.unwrap(callback))
    return found


def page_form_fields(route: Route) -> list[str]:
    fields: list[str] = []
    for form_class in page_forms(route.callback):
        try:
            form = form_class()
        except TypeError as exc:
            raise AssertionError(
                f"{route.id}: the isolation harness cannot make {form_class.__name__}() to read its fields ({exc})"
            ) from None
        fields += [name for name in form.fields if name not in fields]
    return fields
