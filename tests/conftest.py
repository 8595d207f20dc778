"""Shared fixtures: a real Neo4j server for the session, and the two stores of the contract.

The server comes from `NEO4J_URI` if set, else testcontainers when a Docker engine answers, else
the locally provisioned server (`app.infrastructure.neo4j_local`, started here if it is not
running). When none
can be had the Neo4j tests are skipped with the reason, except under `CI=true`, where the run
fails: CI never passes on skipped graph tests.
"""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn

import pytest
from neo4j.exceptions import DriverError, Neo4jError
from playwright.sync_api import Browser, sync_playwright

from app.infrastructure.neo4j_local import LocalNeo4j, Neo4jLocalError, free_port
from app.infrastructure.stores.contract import Store, StoreUnavailable
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.connection import Neo4jConnection
from app.settings import Settings, StoreKind

# A sweep re-indexes the knowledge base (embedding its texts); the tests that sweep need none of
# it, and tests/test_knowledge.py indexes on purpose. CLI runs in subprocesses inherit this.
os.environ.setdefault("MRVTRACE_KB_REFRESH_ON_SWEEP", "false")
# What runs under the default settings (e.g. the shared query-vector cache of a search) writes to
# a folder of the run's own, never into the repository.
os.environ.setdefault("MRVTRACE_HOME", tempfile.mkdtemp(prefix="mrvtrace-tests-"))

NEO4J_FIXTURES = {"neo4j_server", "neo4j_settings", "neo4j_store", "spare_neo4j"}


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    auth: tuple[str, str] | None
    database: str
    version: str


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _server_info(uri: str, auth: tuple[str, str] | None, database: str) -> dict[str, str]:
    settings = Settings(
        NEO4J_URI=uri,
        NEO4J_USER=auth[0] if auth else "neo4j",
        NEO4J_PASSWORD=auth[1] if auth else "",
        NEO4J_DATABASE=database,
    )
    connection = Neo4jConnection(settings)
    try:
        # Ping first: it fails at once, where a query would be retried for half a minute.
        connection.ping()
        return connection.server_info()
    finally:
        connection.close()


def _docker_answers() -> bool:
    try:
        import docker
        from docker.errors import DockerException

        try:
            docker.from_env(timeout=3).ping()
        except (DockerException, OSError):
            return False
    except ImportError:
        return False
    return True


def _server(uri: str, auth: tuple[str, str] | None, database: str) -> Neo4jServer:
    info = _server_info(uri, auth, database)
    return Neo4jServer(uri=uri, auth=auth, database=database, version=info["version"])


def _unavailable(reason: str) -> NoReturn:
    if _in_ci():
        pytest.exit(f"CI=true and no Neo4j server could be had: {reason}", returncode=1)
    pytest.skip(f"no Neo4j server: {reason}")


def pytest_report_header(config: pytest.Config) -> str:
    """Name the Neo4j server the session talks to (without provisioning one)."""
    settings = Settings()
    uri = os.environ.get("NEO4J_URI") or LocalNeo4j.from_settings(settings).uri
    try:
        info = _server_info(uri, settings.neo4j_auth, settings.neo4j_database)
    except (StoreUnavailable, DriverError, Neo4jError) as error:
        return f"neo4j: nothing answers at {uri} yet ({type(error).__name__}); tests provision one"
    return f"neo4j: {info['version']} {info['edition']} at {uri}"


def _uses_neo4j(item: pytest.Item) -> bool:
    """A test uses the server through one of its fixtures, or through the `neo4j` parameter of
    a fixture that asks for it at run time (the contract suite's `store`, the API fixtures)."""
    if NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "neo4j" in callspec.id.split("-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the graph server, so `-m neo4j` / `-m 'not neo4j'` work."""
    for item in items:
        if _uses_neo4j(item):
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    settings = Settings()
    if os.environ.get("NEO4J_URI"):
        try:
            given = _server(settings.neo4j_uri, settings.neo4j_auth, settings.neo4j_database)
        except (StoreUnavailable, DriverError, Neo4jError) as error:
            _unavailable(f"NEO4J_URI={settings.neo4j_uri} does not answer: {error}")
        yield given
        return
    if _docker_answers():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer(f"neo4j:{settings.neo4j_version}-community") as container:
            auth = (container.username, container.password)
            yield _server(container.get_connection_url(), auth, "neo4j")
        return
    local = LocalNeo4j.from_settings(settings)
    was_running = local.status().running
    try:
        status = local.start()
    except Neo4jLocalError as error:
        _unavailable(f"the local server could not start: {error}")
    yield _server(status.uri, None, settings.neo4j_database)
    if not was_running:
        local.stop()


@pytest.fixture(scope="session")
def spare_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    """A second local server on free ports with its own data, for tests that stop and start
    it (each leaves it running); small memory, since it holds almost nothing."""
    server = replace(
        LocalNeo4j.from_settings(
            Settings(),
            bolt_port=free_port(),
            http_port=free_port(),
            home=tmp_path_factory.mktemp("neo4j-spare"),
        ),
        heap="512m",
        pagecache="64m",
    )
    try:
        server.start()
    except Neo4jLocalError as error:
        _unavailable(f"a second local server could not start: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def neo4j_settings(neo4j_server: Neo4jServer, tmp_path: Path) -> Settings:
    user, password = neo4j_server.auth or ("neo4j", "")
    return Settings(
        NEO4J_URI=neo4j_server.uri,
        NEO4J_USER=user,
        NEO4J_PASSWORD=password,
        NEO4J_DATABASE=neo4j_server.database,
        MRVTRACE_STORE=StoreKind.NEO4J,
        MRVTRACE_HOME=tmp_path,
    )


@pytest.fixture
def neo4j_store(neo4j_settings: Settings) -> Iterator[Neo4jStore]:
    store = Neo4jStore(neo4j_settings)
    store.clear()
    store.apply_schema()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=tmp_path))
    store.apply_schema()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=["embedded", "neo4j"], ids=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest) -> Store:
    """Each adapter in turn: the fixture of the shared contract suite."""
    chosen: Store = request.getfixturevalue(f"{request.param}_store")
    return chosen


# The browser tests drive Debian's Chromium (scripts/test installs it; Playwright never
# downloads a browser here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
