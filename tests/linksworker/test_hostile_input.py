"""Hostile input answers 400 or a form error, never a server error.

The walk covers every URL pattern of the project (the resolver's own list, so a new page is
covered the day it is added), as each member of the standing cast and anonymously: hostile
values in each path parameter, in every query parameter any page reads, and in every field
of every form a page shows, posted back to it."""

import re
from uuid import uuid4

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

NUL = "ab\x00cd"
HUGE = "9" * 40
LONG = "x" * 100_000
# `"²".isdigit()` is true, but `int("²")` fails: a check with isdigit() then int() is not safe.
DIGITISH = "²"
HOSTILE_VALUES = (NUL, HUGE, LONG, DIGITISH, "-1")

# Every query parameter a page reads (grep request.GET), and the ones a form posts.
QUERY_NAMES = (
    "q", "s", "status", "practice", "need", "quintile", "followup", "sort", "page", "category",
    "area", "inactive", "participant", "resource", "year", "period", "state", "download",
    "full", "per_page", "clp", "next", "o", "p",
)  # fmt: skip

CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _patterns(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _fill(route: str, value_for) -> str:
    path = CONVERTER.sub(lambda m: value_for(m.group("kind") or "str", m.group("name")), route)
    # Regex routes (the admin's) keep their anchors and groups; fill what a browser could type.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", path).strip("^$")
    return "/" + path


def _hostile_paths(route: str, ref: str) -> list[str]:
    def hostile(kind: str, name: str) -> str:
        if kind == "int":
            return HUGE
        if kind == "uuid":
            return str(uuid4())
        return "P" + NUL

    def long(kind: str, name: str) -> str:
        return {"int": "1", "uuid": str(uuid4())}.get(kind, "x" * 300)

    def real(kind: str, name: str) -> str:
        if name == "ref":
            return ref
        return hostile(kind, name)

    paths = {_fill(route, real), _fill(route, hostile)}
    if CONVERTER.search(route):
        paths.add(_fill(route, long))
    return sorted(paths)


FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def _visit(client: Client, failures: list, method: str, path: str, data: dict) -> int:
    try:
        # A savepoint per request: a query that fails must not spoil the ones after it.
        with transaction.atomic():
            response = getattr(client, method)(path, data)
    except Exception as exc:
        failures.append((method, path[:80], sorted(data)[:3], repr(exc)[:200]))
        return 500
    if response.status_code >= 500:
        failures.append((method, path[:80], sorted(data)[:3], response.status_code))
    return response.status_code


@pytest.mark.parametrize("role", ["anonymous", "clp_a", "clp_b", "manager_a", "lead", "admin_user"])
def test_no_page_answers_hostile_input_with_a_server_error(request, role, participant_a):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    request.getfixturevalue("participant_b")
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    failures: list = []
    routes = list(_patterns())
    assert len(routes) > 100, "the walk must see the whole project"
    for route in routes:
        for path in _hostile_paths(route, participant_a.ref):
            status = _visit(client, failures, "get", path, {})
            for value in HOSTILE_VALUES:
                _visit(client, failures, "get", path, dict.fromkeys(QUERY_NAMES, value))
            if status != 200:
                continue
            page = client.get(path).content.decode(errors="replace")
            fields = set(FIELD.findall(page)) - {"csrfmiddlewaretoken"}
            for value in HOSTILE_VALUES:
                _visit(client, failures, "post", path, dict.fromkeys(fields | {"q"}, value))
                if user is not None:
                    # Signing out is one of the pages posted to; stay who the test is.
                    client.force_login(user)
    assert not failures, "\n".join(map(str, failures))


def test_a_nul_byte_in_a_filter_is_refused_with_a_400_page(as_user, clp_a):
    client = as_user(clp_a)
    for url in ("/participants/?status=ab%00cd", "/resources/?q=%00", "/participants/P%00/"):
        response = client.get(url)
        assert response.status_code == 400
        assert "Nothing was saved" in response.content.decode()


def test_a_nul_byte_in_a_posted_search_is_refused(as_user, clp_a):
    assert as_user(clp_a).post("/participants/search/", {"q": "ab\x00cd"}).status_code == 400


def test_a_filter_value_too_long_to_be_one_is_refused(as_user, clp_a):
    assert as_user(clp_a).get("/resources/", {"area": "x" * 100_000}).status_code == 400


def test_a_filter_beyond_any_id_reads_as_no_filter(as_user, clp_a, participant_a):
    beyond = str(2**40)
    response = as_user(clp_a).get("/participants/", {"practice": beyond, "need": beyond})
    assert response.status_code == 200
    assert "Anderson" in response.content.decode()


def test_a_40_digit_number_in_a_filter_or_a_choice_is_refused(as_user, clp_a, lead):
    assert as_user(clp_a).get("/resources/", {"category": HUGE}).status_code == 400
    invite = as_user(lead).post("/programme/staff/invite/", {"practices": [HUGE]})
    assert invite.status_code == 400


def test_a_username_longer_than_the_lockout_keeps_is_a_form_error(client, db):
    response = client.post("/accounts/login/", {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()


def test_the_lockout_counts_an_over_long_admin_sign_in_without_failing(client, db):
    response = client.post("/admin/login/", {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
