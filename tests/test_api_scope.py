"""Access by jurisdiction on every endpoint, on both stores: a key of another province gets 404
or an empty list, never data; no key gets 401; `public` reads only the public lists."""

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from app.presentation.api.problems import PROBLEM_MEDIA_TYPE
from app.services.access import key_ring_from_environment
from tests.swept_stores import analyst_app, swept_store

PUBLIC_PATHS = ("/public/enterprises", "/public/compliance", "/public/verifiers")


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    """(client, a flagged unit-month with its chain, keys by role)."""
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    server = request.getfixturevalue("neo4j_server") if request.param == "neo4j" else None
    store, settings = swept_store(request.param, folder, server)
    keys = {
        "national": "k-national",
        "own_province": "k-own-province",
        "own_city": "k-own-city",
        "other_province": "k-other-province",
        "public": "k-public",
    }
    # Wrong keys are sent on purpose here, more than a client may send in a minute.
    unlimited = settings.model_copy(update={"key_failures_per_minute": 10**9})
    app = analyst_app(unlimited, store)
    with pytest.MonkeyPatch.context() as patch, TestClient(app) as client:
        national = {"X-API-Key": keys["national"]}
        patch.setenv("MRVTRACE_API_KEYS", f"national={keys['national']}")
        key_ring_from_environment.cache_clear()
        flags = client.get("/anomalies?limit=500", headers=national).json()["items"]
        target = flags[0]
        other = next(
            f["province_code"] for f in flags if f["province_code"] != target["province_code"]
        )
        scopes = {
            "national": "national",
            "own_province": f"province:{target['province_code']}",
            "own_city": f"city:{target['region_code']}",
            "other_province": f"province:{other}",
            "public": "public",
        }
        patch.setenv("MRVTRACE_API_KEYS", ",".join(f"{scopes[r]}={keys[r]}" for r in keys))
        key_ring_from_environment.cache_clear()
        chain = {
            name: str(target[name])
            for name in ("unit_id", "period", "enterprise_id", "province_code", "region_code")
        }
        # Computed once with a national key, so the why answers below could leak it.
        assert client.get("/systemic-sources", headers=national).status_code == 200
        yield client, chain, keys
    key_ring_from_environment.cache_clear()
    if request.param == "neo4j":
        store.close()


def unit_paths(chain: dict[str, str]) -> list[str]:
    unit, period = chain["unit_id"], chain["period"]
    return [
        f"/units/{unit}",
        f"/units/{unit}/why",
        f"/units/{unit}/why?period={period}",
        f"/edges/{unit}|{period}|statistical:coal_ncv_gj_t->coal_carbon_pct/trace",
    ]


def list_paths(chain: dict[str, str]) -> list[str]:
    return [
        "/anomalies?limit=500",
        f"/anomalies?enterprise={chain['enterprise_id']}",
        f"/anomalies?region={chain['province_code']}&period={chain['period']}",
        "/systemic-sources",
        f"/systemic-sources?period={chain['period']}",
        f"/checklist/unit-years?unit_id={chain['unit_id']}",
        "/checklist/unit-years?limit=500",
        "/checklist/labs?limit=500",
        "/findings?limit=500",
        f"/findings?region={chain['province_code']}",
        "/reviews/stats",
    ]


def get(client: TestClient, path: str, key: str | None) -> object:
    return client.get(path, headers={"X-API-Key": key} if key else {})


def test_the_own_jurisdiction_sees_the_unit(setup: tuple) -> None:
    client, chain, keys = setup
    for role in ("national", "own_province", "own_city"):
        for path in unit_paths(chain):
            reply = get(client, path, keys[role])
            assert reply.status_code == 200, (role, path, reply.text)
        items = get(client, "/anomalies?limit=500", keys[role]).json()["items"]
        assert chain["unit_id"] in {i["unit_id"] for i in items}
        if role != "national":
            field = "province_code" if role == "own_province" else "region_code"
            assert {i[field] for i in items} == {chain[field]}


def test_another_province_gets_404_or_empty_lists_never_data(setup: tuple) -> None:
    client, chain, keys = setup
    key = keys["other_province"]
    for path in unit_paths(chain):
        reply = get(client, path, key)
        assert reply.status_code == 404, (path, reply.text)
        assert reply.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
        assert chain["enterprise_id"] not in reply.text
    for path in list_paths(chain):
        reply = get(client, path, key)
        assert reply.status_code == 200, (path, reply.text)
        assert chain["unit_id"] not in reply.text, path
        assert chain["province_code"] not in reply.text, path
    # The other province does see its own flags: the empty answers above are scope, not a bug.
    assert get(client, "/anomalies?limit=500", key).json()["items"]


def test_without_a_key_every_endpoint_is_401(setup: tuple) -> None:
    client, chain, _ = setup
    paths = [*unit_paths(chain), *list_paths(chain), "/sweeps", *PUBLIC_PATHS]
    for path in paths:
        reply = get(client, path, None)
        assert reply.status_code == 401, path
        assert reply.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
        assert get(client, path, "not-a-key").status_code == 401
    assert client.post("/sweeps").status_code == 401


def test_public_reads_only_the_public_lists(setup: tuple) -> None:
    client, chain, keys = setup
    key = keys["public"]
    for path in [*unit_paths(chain), *list_paths(chain), "/sweeps"]:
        assert get(client, path, key).status_code == 404, path
    assert client.post("/sweeps", headers={"X-API-Key": key}).status_code == 404
    for path in PUBLIC_PATHS:
        reply = get(client, path, key)
        assert reply.status_code == 200, path
        assert reply.json()["items"]
    enterprises = get(client, "/public/enterprises", key).json()["items"]
    assert chain["enterprise_id"] in {e["enterprise_id"] for e in enterprises}
    verifiers = get(client, "/public/verifiers", key).json()["items"]
    assert any(v["enterprise_years"] > 0 for v in verifiers)
    assert all(0.0 <= v["flagged_share"] <= 1.0 for v in verifiers)
    compliance = get(client, "/public/compliance", key).json()["items"]
    assert {c["status"] for c in compliance} <= {"completed", "short", "open"}


def test_only_a_national_key_starts_a_sweep(setup: tuple) -> None:
    client, _, keys = setup
    for role in ("own_province", "own_city", "other_province"):
        assert client.post("/sweeps", headers={"X-API-Key": keys[role]}).status_code == 404


# Every parameter of a route that names something of a jurisdiction, with how to spell an id of
# the same length that names nothing; the walk below fails on a route with any other parameter
# it does not know, so a new route is covered (or classified) as soon as it is added.
NOT_JURISDICTION_IDS = {
    # Sweeps are fleet-wide records, not a jurisdiction's.
    "sweep_id",
    # Filters and paging that name no entity.
    "period",
    "year",
    "min_score",
    "limit",
    "offset",
    "cursor",
    "path",
    "next",
    "failed",
    # The review queue's filters by status, priority, age and reviewer name no jurisdiction.
    "status",
    "min_priority",
    "min_age_days",
    "assignee",
    "format",
    "max_p",
    "conflict",
    # The knowledge base's free text and search mode (its scope: tests/test_knowledge.py).
    "q",
    "mode",
}
ROUTES_WITHOUT_IDS = {
    ("POST", "/sweeps"),
    ("POST", "/ui/login"),
    ("POST", "/ui/logout"),
    ("OPTIONS", "/browser/{path:path}"),
}


def unknown_like(value: str) -> str:
    """An id of the same length and shape that names nothing in the generated data."""
    return re.sub(r"\d", "9", value[:-1]) + "Z"


def out_of_scope_ids(client: TestClient, chain: dict[str, str], keys: dict[str, str]) -> dict:
    """Ids the other province's key must not see, by parameter name: the target unit's, and
    of groups and labs, those the national key sees and that key does not."""
    national, other = keys["national"], keys["other_province"]

    def seen(path: str, field: str, key: str) -> set[str]:
        items = get(client, path, key).json()["items"]  # type: ignore[attr-defined]
        return {str(i[field]) for i in items if i.get(field)}

    groups = seen("/anomalies?limit=500", "group_id", national)
    groups -= seen("/anomalies?limit=500", "group_id", other)
    labs = seen("/checklist/labs?limit=500", "lab_id", national)
    labs -= seen("/checklist/labs?limit=500", "lab_id", other)
    unit, period = chain["unit_id"], chain["period"]
    findings = get(client, "/findings?limit=500", national).json()["items"]  # type: ignore[attr-defined]
    ids = {
        "finding_id": next(f["finding_id"] for f in findings if f["unit_id"] == unit),
        "unit_id": unit,
        "edge_id": f"{unit}|{period}|statistical:coal_ncv_gj_t->coal_carbon_pct",
        "enterprise": chain["enterprise_id"],
        "enterprise_id": chain["enterprise_id"],
        "region": chain["province_code"],
        "group": min(groups),
        "lab_id": min(labs),
    }
    pairs = {name: (value, unknown_like(value)) for name, value in ids.items()}
    # The check's id names the unknown unit, in the same month and check.
    pairs["edge_id"] = (ids["edge_id"], ids["edge_id"].replace(unit, unknown_like(unit)))
    return pairs


def test_every_route_answers_an_out_of_scope_id_as_an_unknown_one(setup: tuple) -> None:
    """Issue 13: /ui/units/{id} without `period` leaked another province's flagged month. Every
    API and UI route, given ids of another jurisdiction, answers byte for byte what it answers
    for ids that exist nowhere (the id itself aside)."""
    client, chain, keys = setup
    ids = out_of_scope_ids(client, chain, keys)
    walked = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(context.methods or ()):
            if (method, route.path) in ROUTES_WITHOUT_IDS:
                continue
            dependant = route.dependant
            names = [p.name for p in (*dependant.path_params, *dependant.query_params)]
            unknown = set(names) - set(ids) - NOT_JURISDICTION_IDS
            assert not unknown, f"{method} {route.path}: classify {sorted(unknown)} above"
            path_ids = [p.name for p in dependant.path_params if p.name in ids]
            query_ids = [p.name for p in dependant.query_params if p.name in ids]
            if dependant.body_params:
                query_ids = ["body"]
            if not path_ids and not query_ids:
                continue
            for varied in query_ids or [None]:
                replies = []
                for which in (0, 1):
                    url = route.path
                    for name in path_ids:
                        url = url.replace("{" + name + "}", quote(ids[name][which], safe=""))
                    params = {varied: ids[varied][which]} if varied not in (None, "body") else {}
                    body = (
                        {"unit_id": ids["unit_id"][which], "period": chain["period"]}
                        if varied == "body"
                        else None
                    )
                    reply = client.request(
                        method,
                        url,
                        params=params,
                        json=body,
                        headers={"X-API-Key": keys["other_province"]},
                    )
                    text = reply.text
                    # The ids themselves aside (a check's id names its unit): longest first.
                    for value in sorted((v[which] for v in ids.values()), key=len)[::-1]:
                        text = text.replace(value, "<id>").replace(quote(value, safe=""), "<id>")
                    replies.append((reply.status_code, text))
                assert replies[0] == replies[1], (method, route.path, varied, replies)
                assert chain["enterprise_id"] not in replies[0][1]
                walked.append((method, route.path, varied))
    walked_paths = {path for _, path, _ in walked}
    assert {"/ui/units/{unit_id}", "/units/{unit_id}", "/submissions/validate"} <= walked_paths
