"""Key roles: given in both key formats, `read-only` when absent (every key written before
roles reads as before and decides nothing), refused when unknown."""

import pytest

from app.services.access import (
    DEFAULT_ROLE,
    Role,
    ScopeError,
    key_entry,
    keys_from_mapping,
    keys_from_text,
    parse_scope,
)


def test_environment_keys_take_an_optional_role() -> None:
    ring = keys_from_text("national=aaa,city:110101@reviewer=bbb,province:110000@supervisor=ccc")
    found = {key: ring.find(key) for key in ("aaa", "bbb", "ccc")}
    assert {k: (f.scope, f.role) for k, f in found.items() if f} == {
        "aaa": (parse_scope("national"), Role.READ_ONLY),
        "bbb": (parse_scope("city:110101"), Role.REVIEWER),
        "ccc": (parse_scope("province:110000"), Role.SUPERVISOR),
    }
    assert DEFAULT_ROLE == Role.READ_ONLY


def test_file_keys_take_an_optional_role() -> None:
    reviewer, old = "r" * 40, "o" * 40
    entries = {
        "city reviewer": key_entry(reviewer, "city:110101", role="reviewer"),
        "written before roles": key_entry(old, "national"),
    }
    assert "role" not in entries["written before roles"]
    ring = keys_from_mapping(entries)
    assert ring.find(reviewer).role == Role.REVIEWER  # type: ignore[union-attr]
    assert ring.find(old).role == Role.READ_ONLY  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["national@boss=k", "city:1@=k"])
def test_an_unknown_role_is_refused_or_defaulted(text: str) -> None:
    if "boss" in text:
        with pytest.raises(ScopeError, match="unknown role"):
            keys_from_text(text)
    else:
        assert keys_from_text(text).find("k").role == Role.READ_ONLY  # type: ignore[union-attr]
