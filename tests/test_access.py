"""Jurisdiction scopes and hashed API keys."""

import json
from pathlib import Path

import pytest
import yaml

from app.services import access
from app.services.access import (
    KeyRing,
    Scope,
    ScopeError,
    ScopeKind,
    hash_key,
    key_entry,
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


BJ_KEY = "bj-key-0123456789abcdefghijklmnopqrstuv"
MEE_KEY = "mee-key-0123456789abcdefghijklmnopqrstu"


def test_keys_from_yaml_and_json_files(tmp_path: Path) -> None:
    entries = {
        "beijing": key_entry(BJ_KEY, "province:110000"),
        "ministry": key_entry(MEE_KEY, "national", "pbkdf2_sha256"),
    }
    for name, dump in (("keys.yaml", yaml.safe_dump), ("keys.json", json.dumps)):
        path = tmp_path / name
        path.write_text(dump(entries), encoding="utf-8")
        ring = keys_from_file(path)
        assert ring.resolve_key(BJ_KEY) == Scope(ScopeKind.PROVINCE, "110000")
        assert ring.resolve_key(MEE_KEY) == Scope(ScopeKind.NATIONAL)
        assert ring.resolve_key("guess") is None
        assert ring.resolve_key(MEE_KEY[:-1] + "x") is None
        assert ring.resolve_key("") is None
        assert ring.resolve_key(None) is None


def test_bad_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("beijing: {scope: national}\n", encoding="utf-8")
    with pytest.raises(ScopeError, match="beijing"):
        keys_from_file(path)


def test_a_key_file_entry_without_an_id_says_how_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    entry = {"hash": hash_key(BJ_KEY), "scope": "national"}
    path.write_text(yaml.safe_dump({"beijing": entry}), encoding="utf-8")
    with pytest.raises(ScopeError, match=r"'beijing' needs an 'id'.*first 8 characters"):
        keys_from_file(path)
    with pytest.raises(ScopeError, match="at least 32 characters"):
        key_entry("short", "national")


def test_two_keys_with_one_id_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    entries = {"a": key_entry(BJ_KEY, "national"), "b": key_entry(BJ_KEY + "x", "public")}
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    with pytest.raises(ScopeError, match="same id"):
        keys_from_file(path)


def test_a_wrong_key_costs_one_hash_whatever_the_number_of_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: 24 wrong keys against 5 PBKDF2-hashed keys cost 120 hashes on the loop."""
    entries = {
        f"k{i}": key_entry(f"key{i}-" + "s" * 40, "national", "pbkdf2_sha256") for i in range(5)
    }
    path = tmp_path / "keys.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    ring = load_key_ring(path, "public=plain-env-key")
    hashed: list[str] = []
    real_verify = access.verify_key
    monkeypatch.setattr(
        access, "verify_key", lambda key, stored: hashed.append(stored) or real_verify(key, stored)
    )
    for attempt in range(24):
        assert ring.resolve_key(f"wrong-{attempt}-" + "x" * 40) is None
    assert hashed == []
    # A wrong key with a configured id: that one hash only.
    assert ring.resolve_key("key3-" + "s" * 3 + "x" * 37) is None
    assert len(hashed) == 1
    assert ring.resolve_key("key3-" + "s" * 40) == Scope(ScopeKind.NATIONAL)
    assert ring.resolve_key("plain-env-key") == Scope(ScopeKind.PUBLIC)
    assert len(hashed) == 2


def test_keys_from_environment_text_are_hashed() -> None:
    # Keys of letters no hex digest holds: "not in the stored hash" never holds by chance.
    ring = keys_from_text("province:110000=xyz=, city:011001=uvw,public=pub")
    assert all("xyz" not in k.hash and "uvw" not in k.hash for k in ring.keys)
    assert ring.resolve_key("xyz=") == Scope(ScopeKind.PROVINCE, "110000")
    assert ring.resolve_key("uvw") == Scope(ScopeKind.CITY, "011001")
    assert ring.resolve_key("pub") == Scope(ScopeKind.PUBLIC)
    assert ring.resolve_key("xyz") is None
    with pytest.raises(ScopeError):
        keys_from_text("national")


def test_file_and_environment_keys_combine(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(yaml.safe_dump({"a": key_entry(BJ_KEY, "national")}))
    ring = load_key_ring(path, "public=k2")
    assert resolve_key(BJ_KEY, ring) == Scope(ScopeKind.NATIONAL)
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
