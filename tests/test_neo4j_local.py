"""The local Neo4j provisioning: idempotent start and stop, status, Browser, Java discovery."""

import httpx

from app.infrastructure.neo4j_local import LocalNeo4j, find_java, java_major, required_java
from app.settings import Settings


def test_start_twice_is_harmless(spare_neo4j: LocalNeo4j) -> None:
    first = spare_neo4j.start()
    second = spare_neo4j.start()
    assert first.running and second.running
    assert second.pid == first.pid


def test_status_reports_version_and_ports(spare_neo4j: LocalNeo4j) -> None:
    status = spare_neo4j.status()
    assert status.running and status.installed
    assert status.version == Settings().neo4j_version
    assert (status.bolt_port, status.http_port) == (spare_neo4j.bolt_port, spare_neo4j.http_port)
    assert status.uri == f"bolt://127.0.0.1:{spare_neo4j.bolt_port}"
    assert status.log_file.is_file()


def test_browser_answers(spare_neo4j: LocalNeo4j) -> None:
    reply = httpx.get(spare_neo4j.status().browser_url, timeout=10)
    assert reply.status_code == 200
    assert "Neo4j Browser" in reply.text


def test_config_binds_loopback_on_the_instance_ports(spare_neo4j: LocalNeo4j) -> None:
    conf = (spare_neo4j.home / "conf" / "neo4j.conf").read_text(encoding="utf-8")
    assert f"server.bolt.listen_address=127.0.0.1:{spare_neo4j.bolt_port}" in conf
    assert f"server.http.listen_address=127.0.0.1:{spare_neo4j.http_port}" in conf
    assert f"server.directories.data={spare_neo4j.home / 'data'}" in conf


def test_java_found_is_new_enough_for_the_version() -> None:
    version = Settings().neo4j_version
    java = find_java(version)
    major = java_major(java.parent.parent)
    assert major is not None and major >= required_java(version)
    assert required_java("5.26.0") == 17


def test_stop_is_graceful_and_idempotent(spare_neo4j: LocalNeo4j) -> None:
    assert spare_neo4j.stop() is True
    assert spare_neo4j.stop() is False
    status = spare_neo4j.status()
    assert not status.running and status.pid is None
    # A graceful shutdown is logged by the server itself; a SIGKILL would leave no such line.
    assert "Stopped." in spare_neo4j.log_file.read_text(encoding="utf-8")
    restarted = spare_neo4j.start()
    assert restarted.running
