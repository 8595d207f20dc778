"""compose.yaml: the three services, their health checks and start order, and the Neo4j image
that matches the locally provisioned version."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import Settings, StoreKind

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return data


def test_services_are_neo4j_api_and_sweeper(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"neo4j", "api", "sweeper"}


def test_neo4j_image_matches_the_local_version(compose: dict[str, Any]) -> None:
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == f"neo4j:{Settings().neo4j_version}-community"
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert any(volume.endswith(":/data") for volume in neo4j["volumes"])
    named = {volume.split(":")[0] for volume in neo4j["volumes"]}
    assert named <= set(compose["volumes"])


@pytest.mark.parametrize("service", ["neo4j", "api"])
def test_health_checks(compose: dict[str, Any], service: str) -> None:
    check = compose["services"][service]["healthcheck"]
    assert check["test"] and check["interval"] and check["retries"] > 0


@pytest.mark.parametrize("service", ["api", "sweeper"])
def test_waits_for_healthy_neo4j_and_uses_it(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    assert spec["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = spec["environment"]
    assert env["MRVTRACE_STORE"] == StoreKind.NEO4J.value
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"


def test_api_runs_the_app_factory_and_sweeper_the_schedule(compose: dict[str, Any]) -> None:
    api = " ".join(compose["services"]["api"]["command"])
    assert api.startswith("uvicorn app.presentation.api.main:create_app --factory")
    assert compose["services"]["sweeper"]["command"] == ["mrvtrace", "schedule"]
    assert (ROOT / compose["services"]["api"]["build"] / "Dockerfile").is_file()
