"""Who can do what (issue 7): every route of the URLconf, as an anonymous visitor, an Analyst
and an Editor, with every HTTP method, against a table of expected statuses.

The routes come from walking the URLconf, so a new page, API route or ModelAdmin joins the
matrix by itself; a route whose URL cannot be built from the seeded data fails the test by
name. The expected statuses are written out below as rules, not asked of the permission code
under test.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize
from django.views.generic import RedirectView
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from records.roles import account_create
from seeds.review import review_create
from summits.models import Meeting, MeetingCountry
from tests.conftest import verify_otp

PASSWORD = "correct horse battery staple 42"
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
READS = ("GET", "HEAD", "OPTIONS")
ROLES = ("anonymous", "analyst", "editor")
# A staff member who typed the right password but has not verified a second factor: on the
# public pages and the API exactly an anonymous visitor (no drafts), kept out of the admin.
UNVERIFIED = "unverified-staff"
AREAS = ("public", "api", "admin")
# Sanity floors, so that the walk cannot silently shrink (the seed gives more than these).
MIN_URLS = {"public": 22, "api": 55, "admin": 150}

# Routes the matrix does not build a URL for, each with the reason. Keep it short.
EXCLUDED: dict[str, str] = {}

# -- what each role may do in the admin, by model ----------------------------------------------

ALL = frozenset({"view", "add", "change", "delete"})
EDIT = frozenset({"view", "add", "change"})
VIEW = frozenset({"view"})
# Records: an Analyst edits them but never deletes one.
RECORDS = {
    "summits.sector",
    "summits.person",
    "summits.organization",
    "summits.body",
    "summits.meeting",
    "agreements.package",
    "agreements.document",
    "agreements.project",
    "records.source",
}
# Rows inside a record (with their own admin for citing them): removing one is editing it.
PARTS = {"records.citation", "agreements.statusevent", "agreements.milestone"}
# ISO reference data: corrected, never added or removed, by anyone but a superuser.
REFERENCE = {"summits.country"}
ACCOUNTS = {"auth.user", "auth.group"}
SECURITY = {
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
}
# The import assistant's reviews go with sources (seeds/admin.py): nobody deletes one.
IMPORTS = {"seeds.importreview": EDIT}
ANALYST_MAY = {
    **IMPORTS,
    **{label: EDIT for label in RECORDS},
    **{label: ALL for label in PARTS},
    "summits.country": frozenset({"view", "change"}),
}
EDITOR_MAY = {
    **IMPORTS,
    **{label: ALL for label in RECORDS | PARTS},
    "summits.country": frozenset({"view", "change"}),
    "auth.user": ALL,
    "auth.group": VIEW,
    # Unlocking an account is deleting its access attempt; the logs are read only, and
    # django-axes' admins never add a row.
    "axes.accessattempt": frozenset({"view", "delete"}),
    "axes.accesslog": VIEW,
    "axes.accessfailurelog": VIEW,
    # Devices are removed (a lost phone), never added or changed for someone else: their
    # owners enrol them (config/accounts_admin.py).
    "otp_totp.totpdevice": frozenset({"view", "delete"}),
    "otp_static.staticdevice": frozenset({"view", "delete"}),
}
# Change forms an empty POST would save. None: every change form must say which version of
# the row it shows (a stale save is refused), so an empty POST is a form with errors, even a
# country's, whose editable fields may all be blank.
BLANK_FORM_SAVES: set[str] = set()
MAY = {"anonymous": {}, "analyst": ANALYST_MAY, "editor": EDITOR_MAY}
# A superuser's account is out of an Editor's reach: they may look at it, nothing more.
SUPERUSER_TARGET_MAY = VIEW


# -- walking the URLconf ---------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    area: str
    pieces: tuple  # the patterns from the root of the URLconf down to this route
    callback: Callable

    @property
    def params(self) -> list[str]:
        return [name for piece in self.pieces for name in normalize(piece.regex.pattern)[0][1]]

    def url(self, values: dict) -> str:
        parts = []
        for piece in self.pieces:
            template, names = normalize(piece.regex.pattern)[0]
            converters = getattr(piece, "converters", {})
            parts.append(
                template
                % {
                    name: converters[name].to_url(values[name])
                    if name in converters
                    else str(values[name])
                    for name in names
                }
            )
        return "/" + "".join(parts)


def walk(resolver=None, pieces: tuple = (), apps: tuple = ()) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            app = (entry.app_name,) if entry.app_name else ()
            yield from walk(entry, (*pieces, entry.pattern), (*apps, *app))
            continue
        area = "admin" if "admin" in apps else "api" if "api" in apps else "public"
        pieces_here = (*pieces, entry.pattern)
        name = ":".join((*apps, entry.name)) if entry.name else "".join(map(str, pieces_here))
        yield Route(name, area, pieces_here, entry.callback)


def model_admin_of(callback) -> admin.ModelAdmin | None:
    """The ModelAdmin whose view this is, through the admin's wrappers and decorators."""
    while callback is not None:
        for owner in (getattr(callback, "model_admin", None), getattr(callback, "__self__", None)):
            if isinstance(owner, admin.ModelAdmin):
                return owner
        callback = getattr(callback, "__wrapped__", None)
    return None


def label_of(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


# -- the cases: one concrete URL per route (a few routes get more than one) -----------------


@dataclass(frozen=True)
class Case:
    route: Route
    url: str
    kind: str  # what the rules look at: a page kind, or an admin view kind
    model: str = ""  # app_label.model_name of an admin model route
    target: str = ""  # a variant of the same route: "superuser", "non-canonical"
    location: str = ""  # where a redirect of this URL must point


class Unbuildable(Exception):
    pass


@dataclass
class World:
    """The seeded objects the URLs point at."""

    pair: tuple[str, str]  # two lower-case ISO codes, in the pair page's canonical order
    country: str  # an ISO code
    users: dict = field(default_factory=dict)  # role or "target"/"root" -> account
    objects: dict = field(default_factory=dict)  # model label -> one object

    def object_for(self, model):
        label = label_of(model)
        if label not in self.objects:
            obj = model._default_manager.order_by("pk").first()
            if obj is None:
                raise Unbuildable(f"no {label} object to point at")
            self.objects[label] = obj
        return self.objects[label]


def published_object(model):
    queryset = model._default_manager.all()
    if hasattr(queryset, "published"):
        queryset = queryset.published()
    obj = queryset.order_by("pk").first()
    if obj is None:
        raise Unbuildable(f"no published {label_of(model)}")
    return obj


def view_model(callback):
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    model = getattr(view, "model", None)
    if model is None and getattr(view, "queryset", None) is not None:
        model = view.queryset.model
    if model is None:
        raise Unbuildable("no model on the view to take a slug from")
    return model


def page_cases(route: Route, world: World) -> list[Case]:
    params = set(route.params)
    values: dict = {}
    if "slug" in params:
        values["slug"] = published_object(view_model(route.callback)).slug
    if "code" in params:
        values["code"] = world.country
    if "format" in params:
        values["format"] = "json"
    if {"first", "second"} <= params:
        first, second = world.pair
        values |= {"first": first, "second": second}
        canonical = route.url(values)
        return [
            Case(route, canonical, "page"),
            # The reverse order is not the pair's address: a permanent redirect to it.
            Case(
                route,
                route.url({"first": second, "second": first}),
                "page",
                target="non-canonical",
                location=canonical,
            ),
        ]
    if missing := params - set(values):
        raise Unbuildable(f"no value for {sorted(missing)}")
    return [Case(route, route.url(values), "page")]


def admin_model_cases(route: Route, model_admin: admin.ModelAdmin, world: World) -> list[Case]:
    model = model_admin.model
    label = label_of(model)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
    if route.name == "admin:auth_user_password_change":
        kind = "user_password"  # UserAdmin's form that sets another account's password
    elif route.name.startswith(prefix):
        kind = route.name.removeprefix(prefix)
    elif getattr(inspect.unwrap(route.callback), "view_class", None) is RedirectView:
        kind = "redirect"
    else:
        raise Unbuildable("an admin view the matrix has no rule for")
    if not route.params:
        return [Case(route, route.url({}), kind, label)]
    targets = [("", world.object_for(model))]
    if label == "auth.user":
        targets = [("", world.users["target"]), ("superuser", world.users["root"])]
    cases = []
    for target, obj in targets:
        values = {}
        for param in route.params:
            if param in ("object_id", "id", "pk", "_0"):
                values[param] = obj.pk
            elif param == "_1":  # simple_history's revert form: a version of the object
                values[param] = obj.history.order_by("history_id").first().history_id
            else:
                raise Unbuildable(f"no value for {param!r}")
        url = route.url(values)
        location = url + "change/" if kind == "redirect" else ""
        cases.append(Case(route, url, kind, label, target, location))
    return cases


def admin_site_cases(route: Route, world: World) -> list[Case]:
    short = route.name.removeprefix("admin:")
    if short == "view_on_site":
        meeting = published_object(Meeting)
        content_type = ContentType.objects.get_for_model(Meeting)
        url = route.url({"content_type_id": content_type.pk, "object_id": meeting.pk})
        return [Case(route, url, short, location=meeting.get_absolute_url())]
    if short == "app_list":
        apps = sorted({model._meta.app_label for model in admin.site._registry})
        return [Case(route, route.url({"app_label": app}), short, model=app) for app in apps]
    if short == "autocomplete":
        # A real autocomplete request: a meeting's host country.
        query = "?app_label=summits&model_name=meeting&field_name=host_country"
        return [Case(route, route.url({}) + query, short)]
    if route.params == ["url"]:  # the catch-all after every admin URL
        return [Case(route, route.url({"url": "no-such-page/"}), "catch_all")]
    if route.params:
        raise Unbuildable(f"no value for {route.params}")
    return [Case(route, route.url({}), short)]


def build_cases(world: World) -> tuple[list[Case], list[str]]:
    cases, unbuildable = [], []
    for route in walk():
        if route.name in EXCLUDED:
            continue
        try:
            if route.area != "admin":
                built = page_cases(route, world)
            elif model_admin := model_admin_of(route.callback):
                built = admin_model_cases(route, model_admin, world)
            else:
                built = admin_site_cases(route, world)
        except Unbuildable as exc:
            unbuildable.append(f"{route.name} ({route.pieces[-1]}): {exc}")
            continue
        for case in built:
            # The URL built must lead back to the route it was built for.
            if resolve(case.url.split("?")[0]).func is not route.callback:
                unbuildable.append(f"{route.name}: {case.url} resolves to another view")
        cases += built
    return cases, unbuildable


# -- the expected statuses ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    statuses: frozenset[int]
    location: str = ""  # a prefix the Location header must start with

    def __str__(self) -> str:
        shown = "/".join(str(status) for status in sorted(self.statuses))
        return f"{shown} to {self.location}" if self.location else shown


def expect(*statuses: int, location: str = "") -> Expect:
    return Expect(frozenset(statuses), location)


# Read-only API: a write is refused whoever asks (unauthenticated, forbidden, or not allowed).
API_WRITE_REFUSED = (401, 403, 405)


def expected_public(method: str, case: Case) -> Expect:
    if case.route.name == "healthz":
        # The load balancers' probe: a plain function view that answers any method and
        # writes nothing.
        return expect(200)
    if method in ("GET", "HEAD"):
        if case.target == "non-canonical":
            return expect(301, location=case.location)
        return expect(200)
    if method == "OPTIONS":
        return expect(200)
    return expect(405)


def expected_api(method: str, case: Case) -> Expect:
    if method in READS:
        return expect(200)
    return expect(*API_WRITE_REFUSED)


def expected_admin_anonymous(method: str, case: Case) -> Expect:
    if case.kind == "login":
        # The form view: POST and PUT (which LoginView treats as POST) re-render an empty
        # form with its errors; it defines no PATCH or DELETE.
        return expect(405) if method in ("PATCH", "DELETE") else expect(200)
    if case.kind == "logout":
        # The admin sends a visitor who is not logged in from its logout to its index.
        return expect(302, location="/admin/")
    return expect(302, location="/admin/login/?next=")


def expected_admin_staff(role: str, method: str, case: Case) -> Expect:
    kind = case.kind
    if kind == "index":
        return expect(200)
    if kind == "login":
        # Someone already in is sent on to the index from a GET; any other method reaches
        # the login form, as for a visitor.
        if method == "GET":
            return expect(302, location="/admin/")
        return expected_admin_anonymous(method, case)
    if kind == "logout":
        # Logging out is a POST (it then shows the "logged out" page); OPTIONS says so.
        return expect(200) if method in ("POST", "OPTIONS") else expect(405)
    if kind == "password_change":
        return expect(405) if method in ("PATCH", "DELETE") else expect(200)
    if kind in ("password_change_done", "autocomplete", "jsi18n", "how_to_enter_an_article"):
        return expect(200) if method in READS else expect(405)
    if kind == "view_on_site":
        return expect(302, location=case.location)
    if kind == "catch_all":
        return expect(404)
    if kind == "app_list":
        # An app in which the role may do nothing does not exist for it.
        may_any = any(label.startswith(f"{case.model}.") for label in MAY[role])
        return expect(200) if may_any else expect(404)
    return expected_admin_model(role, method, case)


def expected_admin_model(role: str, method: str, case: Case) -> Expect:
    if case.kind == "enrol":
        # Anyone on the staff enrols an authenticator for themselves: a new key whatever the
        # method, and only a POST with the right code confirms it.
        return expect(200)
    may = MAY[role].get(case.model, frozenset())
    if case.target == "superuser":
        may &= SUPERUSER_TARGET_MAY
    sees = bool(may & {"view", "change"})
    kind = case.kind
    # Admin views act on POST only; PUT, PATCH and DELETE are treated like GET.
    posting = method == "POST"
    if kind == "redirect":
        # `<object_id>/` is an old address of the change page, for whoever is in the admin.
        return expect(302, location=case.location)
    if case.model in IMPORTS:
        return expected_import(may, posting, case)
    if kind in ("changelist", "history", "config", "qrcode"):
        # POSTing nothing to a changelist selects no action and shows the list again.
        return expect(200) if sees else expect(403)
    if kind == "add":
        # An empty POST is a form with errors, shown again.
        return expect(200) if "add" in may else expect(403)
    if kind in ("change", "simple_history"):
        if posting:
            # Saving needs the change permission; an empty POST is a form with errors,
            # except where every editable field may be blank: then it saves.
            if "change" not in may:
                return expect(403)
            return expect(302) if case.model in BLANK_FORM_SAVES else expect(200)
        return expect(200) if sees else expect(403)
    if kind == "user_password":
        # A plain admin view: only POST acts, and an empty POST is a form with errors.
        return expect(200) if "change" in may else expect(403)
    if kind == "delete":
        if "delete" not in may:
            return expect(403)
        if posting:
            # Deleted (302 to the list; undone by the savepoint around the request), or
            # 200 with the records that protect it.
            return expect(200, 302)
        return expect(200)
    raise AssertionError(f"no rule for the admin view {case.route.name}")


def expected_import(may: frozenset, posting: bool, case: Case) -> Expect:
    """The import assistant: its add page is the import form, its change page leads to the
    review page, where a POST is a decision; an empty one is refused as bad input."""
    kind = case.kind
    if kind in ("add", "import"):
        if "add" not in may:
            return expect(403)
        return expect(400) if posting else expect(200)
    if kind == "change":
        review = case.url.removesuffix("change/") + "review/"
        return expect(302, location=review) if may else expect(403)
    if kind == "review":
        if not may & {"view", "change"}:
            return expect(403)
        return expect(400) if posting else expect(200)
    if kind in ("changelist", "history"):
        return expect(200) if may & {"view", "change"} else expect(403)
    if kind == "delete":
        return expect(403)
    raise AssertionError(f"no rule for the admin view {case.route.name}")


def expected(role: str, method: str, case: Case) -> Expect:
    area = case.route.area
    if area == "public":
        return expected_public(method, case)
    if area == "api":
        return expected_api(method, case)
    if role == "anonymous":
        return expected_admin_anonymous(method, case)
    if role == UNVERIFIED:
        return expected_admin_unverified(method, case)
    return expected_admin_staff(role, method, case)


def expected_admin_unverified(method: str, case: Case) -> Expect:
    """Signed in with a password only: the admin asks for the second factor at its login."""
    # Logging out included, the admin treats them as a visitor until the code is typed.
    return expected_admin_anonymous(method, case)


# -- running it -----------------------------------------------------------------------------


@pytest.fixture
def world(seeded, settings) -> World:
    """Accounts in each role, and a row in every model the admin shows."""
    # No password is typed here: skip the slow hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user_model = get_user_model()
    analyst = account_create(username="matrix-analyst", password=PASSWORD)
    editor = account_create(username="matrix-editor", password=PASSWORD, editor=True)
    target = user_model.objects.create_user("matrix-target", password=PASSWORD)
    root = user_model.objects.create_superuser("matrix-root", password=PASSWORD)
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    StaticDevice.objects.create(user=target, name="backup codes", confirmed=True)
    request = {"user_agent": "matrix", "ip_address": "192.0.2.1", "http_accept": "*/*"}
    AccessAttempt.objects.create(
        **request,
        username="matrix-target",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessLog.objects.create(**request, username="matrix-target", path_info="/admin/login/")
    AccessFailureLog.objects.create(**request, username="matrix-target", path_info="/admin/login/")
    # A pair of countries that met at a published meeting.
    meeting = published_object(Meeting)
    codes = sorted(
        MeetingCountry.objects.filter(meeting=meeting).values_list("country__code", flat=True)
    )
    assert len(codes) >= 2, f"{meeting} has fewer than two countries"
    # An article under review, for the import assistant's pages.
    review_create(
        text="Astana, May 5 — The presidents of Kazakhstan and Azerbaijan held talks today.",
        title="Talks in Astana",
        publisher="Matrix",
        published_on=dt.date(2025, 5, 5),
    )
    users = {"analyst": analyst, "editor": editor, "target": target, "root": root}
    return World(pair=(codes[0].lower(), codes[1].lower()), country=codes[0], users=users)


def client_for(role: str, world: World) -> Client:
    client = Client()
    if role == UNVERIFIED:
        client.force_login(world.users["analyst"])
    elif role != "anonymous":
        verify_otp(client, world.users[role])
    return client


def run(client: Client, method: str, url: str):
    """One request, its writes undone, its stream read to the end."""
    cache.clear()  # the API's throttle counts in the cache
    with transaction.atomic():
        try:
            response = getattr(client, method.lower())(url)
            if response.streaming:
                b"".join(response.streaming_content)
        except Exception as exc:
            return None, f"raised {exc!r}"
        finally:
            transaction.set_rollback(True)
    return response, response.status_code


def check(role: str, method: str, case: Case, response, got) -> str | None:
    want = expected(role, method, case)
    if response is not None and got in want.statuses:
        # Some redirects are absolute, on the test client's host.
        location = response.get("Location", "").removeprefix("http://testserver")
        if location.startswith(want.location):
            return None
        got = f"{got} to {location}"
    return f"{role} {method} {case.url}: got {got}, expected {want}"


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("role", [*ROLES, UNVERIFIED])
def test_who_can_do_what(world, role, area, caplog, settings):
    settings.PACTA_REQUIRE_2FA = True
    # Thousands of expected 403s and 404s: do not format a logged warning for each.
    caplog.set_level(logging.ERROR, logger="django.request")
    cases = [case for case in build_cases(world)[0] if case.route.area == area]
    assert len(cases) >= MIN_URLS[area], f"only {len(cases)} {area} URLs found"
    client = client_for(role, world)
    mismatches = []
    for case in cases:
        for method in METHODS:
            # Logging out ends the session: give it a client of its own.
            session = client_for(role, world) if case.kind == "logout" else client
            response, got = run(session, method, case.url)
            if problem := check(role, method, case, response, got):
                mismatches.append(problem)
    assert not mismatches, f"{len(mismatches)} of {len(cases) * len(METHODS)}:\n" + "\n".join(
        mismatches
    )


def test_every_route_is_in_the_matrix(world, record_property):
    cases, unbuildable = build_cases(world)
    assert not unbuildable, "routes the matrix cannot build a URL for:\n" + "\n".join(unbuildable)
    routes = {case.route for case in cases}
    checks = len(cases) * len(METHODS) * len(ROLES)
    print(f"who-can-do-what matrix: {len(routes)} routes, {len(cases)} URLs, {checks} checks")
    record_property("matrix_checks", checks)
    assert checks >= sum(MIN_URLS.values()) * len(METHODS) * len(ROLES)


def test_every_admin_model_has_a_role_rule():
    registered = {label_of(model) for model in admin.site._registry}
    classified = RECORDS | PARTS | REFERENCE | ACCOUNTS | SECURITY | set(IMPORTS)
    assert registered == classified, (
        f"unclassified: {sorted(registered - classified)}, gone: {sorted(classified - registered)}"
    )


@pytest.mark.parametrize("role", ["anonymous", UNVERIFIED, "analyst"])
def test_drafts_of_every_kind_only_for_staff_with_a_second_factor(world, role, settings):
    """Every public and API route of a draft record, by role: only a verified staff member
    sees it; a password alone is the public's view (records/visibility.py)."""
    from records import registry

    settings.PACTA_REQUIRE_2FA = True
    client = client_for(role, world)
    wrong = []
    for kind in registry.kinds():
        record = published_object(kind.model)
        kind.model.objects.filter(pk=record.pk).update(status="draft")
        for url in (record.get_absolute_url(), f"/api/v1/{kind.plural}/{record.slug}/"):
            _, got = run(client, "GET", url)
            want = 200 if role == "analyst" else 404
            if got != want:
                wrong.append(f"{role} GET {url}: got {got}, expected {want}")
    assert not wrong, "\n".join(wrong)
