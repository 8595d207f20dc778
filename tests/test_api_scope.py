"""Access by jurisdiction on every endpoint, on both stores: a key of another province gets 404
or an empty list, never data; no key gets 401; `public` reads only the public lists."""

from collections.abc import Iterator

import pytest
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
    with pytest.MonkeyPatch.context() as patch, TestClient(analyst_app(settings, store)) as client:
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
