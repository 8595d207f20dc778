"""Jurisdiction scopes and hashed API keys."""

import json
from pathlib import Path

import pytest
import yaml

from app.services.access import (
    KeyRing,
    Scope,
    ScopeError,
    ScopeKind,
    hash_key,
    key_ring_from_environment,
    keys_from_file,
    keys_from_text,
    load_key_ring,
    parse_scope,
    resolve_key,
    scope_filter,
    verify_key,
)


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("national", Scope(ScopeKind.NATIONAL)),
        ("public", Scope(ScopeKind.PUBLIC)),
        ("province:110000", Scope(ScopeKind.PROVINCE, "110000")),
        ("city:011001", Scope(ScopeKind.CITY, "011001")),
    ],
)
def test_parse_scope(text: str, scope: Scope) -> None:
    assert parse_scope(text) == scope
    assert str(scope) == text


@pytest.mark.parametrize("text", ["", "planet", "province", "city:", "national:11"])
def test_bad_scope_is_refused(text: str) -> None:
    with pytest.raises(ScopeError):
        parse_scope(text)


@pytest.mark.parametrize("scheme", ["sha256", "pbkdf2_sha256"])
def test_hash_is_salted_and_verifies(scheme: str) -> None:
    first, second = hash_key("s3cret-token", scheme), hash_key("s3cret-token", scheme)
    assert first != second
    assert "s3cret-token" not in first
    assert verify_key("s3cret-token", first)
    assert verify_key("s3cret-token", second)
    assert not verify_key("s3cret-tokem", first)
    assert not verify_key("s3cret-token", "md5$x$y")


def test_keys_from_yaml_and_json_files(tmp_path: Path) -> None:
    entries = {
        "beijing": {"hash": hash_key("bj-key"), "scope": "province:110000"},
        "ministry": {"hash": hash_key("mee-key", "pbkdf2_sha256"), "scope": "national"},
    }
    for name, dump in (("keys.yaml", yaml.safe_dump), ("keys.json", json.dumps)):
        path = tmp_path / name
        path.write_text(dump(entries), encoding="utf-8")
        ring = keys_from_file(path)
        assert ring.resolve_key("bj-key") == Scope(ScopeKind.PROVINCE, "110000")
        assert ring.resolve_key("mee-key") == Scope(ScopeKind.NATIONAL)
        assert ring.resolve_key("guess") is None
        assert ring.resolve_key("") is None
        assert ring.resolve_key(None) is None


def test_bad_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("beijing: {scope: national}\n", encoding="utf-8")
    with pytest.raises(ScopeError, match="beijing"):
        keys_from_file(path)


def test_keys_from_environment_text_are_hashed() -> None:
    ring = keys_from_text("province:110000=abc=, city:011001=def,public=pub")
    assert all("abc" not in k.hash and "def" not in k.hash for k in ring.keys)
    assert ring.resolve_key("abc=") == Scope(ScopeKind.PROVINCE, "110000")
    assert ring.resolve_key("def") == Scope(ScopeKind.CITY, "011001")
    assert ring.resolve_key("pub") == Scope(ScopeKind.PUBLIC)
    assert ring.resolve_key("abc") is None
    with pytest.raises(ScopeError):
        keys_from_text("national")


def test_file_and_environment_keys_combine(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(yaml.safe_dump({"a": {"hash": hash_key("k1"), "scope": "national"}}))
    ring = load_key_ring(path, "public=k2")
    assert resolve_key("k1", ring) == Scope(ScopeKind.NATIONAL)
    assert resolve_key("k2", ring) == Scope(ScopeKind.PUBLIC)
    assert resolve_key("k3", KeyRing(())) is None


def test_scope_filter_gives_store_query_parameters() -> None:
    assert scope_filter(parse_scope("national")).parameters() == {
        "province_code": None,
        "region_code": None,
        "units_visible": True,
    }
    assert scope_filter(parse_scope("province:110000")).parameters() == {
        "province_code": "110000",
        "region_code": None,
        "units_visible": True,
    }
    assert scope_filter(parse_scope("city:011001")).parameters() == {
        "province_code": None,
        "region_code": "011001",
        "units_visible": True,
    }
    assert scope_filter(parse_scope("public")).units_visible is False


def test_configured_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MRVTRACE_API_KEYS", "city:011001=env-key")
    monkeypatch.delenv("MRVTRACE_API_KEYS_FILE", raising=False)
    key_ring_from_environment.cache_clear()
    try:
        assert resolve_key("env-key") == Scope(ScopeKind.CITY, "011001")
        assert resolve_key("other") is None
    finally:
        key_ring_from_environment.cache_clear()
