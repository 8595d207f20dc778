"""Access by jurisdiction: API keys mapped to scopes, stored hashed.

A scope is `national`, `province:<code>`, `city:<code>` or `public`. Keys come from a YAML/JSON
file (`name: {hash: ..., scope: ...}`) or from the environment as `scope=key,scope=key`; only
hashes are kept. Hashes are `sha256$<salt>$<hex>` (API keys are long random tokens, so one
salted SHA-256 is enough and keeps each request fast) or `pbkdf2_sha256$<iterations>$<salt>$<hex>`
for keys that may be weak. Comparison is constant-time. `scope_filter` gives the parameters a
store query takes, so that scope is applied inside the query, never after it.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from app.infrastructure.stores.contract import ScopeFilter
from app.settings import Settings

_PBKDF2_ITERATIONS = 200_000


class ScopeKind(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    PUBLIC = "public"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.code}" if self.code else self.kind.value


class ScopeError(ValueError):
    """A scope or key configuration that cannot be understood."""


def parse_scope(text: str) -> Scope:
    """`national`, `public`, `province:<code>` or `city:<code>`; ScopeError otherwise."""
    kind_text, _, code = text.strip().partition(":")
    try:
        kind = ScopeKind(kind_text.strip().lower())
    except ValueError:
        raise ScopeError(f"unknown scope {text!r}") from None
    code = code.strip()
    regional = kind in (ScopeKind.PROVINCE, ScopeKind.CITY)
    if regional and not code:
        raise ScopeError(f"scope {text!r} needs a region code, e.g. {kind.value}:110000")
    if not regional and code:
        raise ScopeError(f"scope {kind.value!r} takes no region code")
    return Scope(kind, code or None)


def hash_key(key: str, scheme: str = "sha256") -> str:
    """The stored form of `key` (a fresh random salt each call)."""
    salt = secrets.token_hex(16)
    if scheme == "sha256":
        digest = hashlib.sha256((salt + key).encode()).hexdigest()
        return f"sha256${salt}${digest}"
    if scheme == "pbkdf2_sha256":
        derived = hashlib.pbkdf2_hmac("sha256", key.encode(), salt.encode(), _PBKDF2_ITERATIONS)
        return f"pbkdf2_sha256${_PBKDF2_ITERATIONS}${salt}${derived.hex()}"
    raise ScopeError(f"unknown hash scheme {scheme!r}")


def verify_key(key: str, stored: str) -> bool:
    """Whether `key` hashes to `stored`, compared in constant time."""
    scheme, _, rest = stored.partition("$")
    if scheme == "sha256":
        salt, _, digest = rest.partition("$")
        candidate = hashlib.sha256((salt + key).encode()).hexdigest()
    elif scheme == "pbkdf2_sha256":
        iterations, salt, digest = [*rest.split("$"), "", ""][:3]
        if not iterations.isdigit():
            return False
        candidate = hashlib.pbkdf2_hmac(
            "sha256", key.encode(), salt.encode(), int(iterations)
        ).hex()
    else:
        return False
    return hmac.compare_digest(candidate, digest)


@dataclass(frozen=True)
class ApiKey:
    name: str
    hash: str
    scope: Scope


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[ApiKey, ...]

    def resolve_key(self, presented_key: str | None) -> Scope | None:
        """The scope of the presented key, or None for a missing or unknown key. Every stored
        key is checked, so the time taken does not depend on which one matches."""
        if not presented_key:
            return None
        found: Scope | None = None
        for key in self.keys:
            if verify_key(presented_key, key.hash) and found is None:
                found = key.scope
        return found


def keys_from_mapping(entries: Mapping[str, Mapping[str, str]]) -> KeyRing:
    """From the file form: name -> {hash, scope}."""
    keys = []
    for name, entry in entries.items():
        if not isinstance(entry, Mapping) or "hash" not in entry or "scope" not in entry:
            raise ScopeError(f"API key {name!r} needs a 'hash' and a 'scope'")
        keys.append(ApiKey(str(name), str(entry["hash"]), parse_scope(str(entry["scope"]))))
    return KeyRing(tuple(keys))


def keys_from_file(path: Path) -> KeyRing:
    """A YAML or JSON file mapping name -> {hash, scope}."""
    text = path.read_text(encoding="utf-8")
    entries = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if not isinstance(entries, Mapping):
        raise ScopeError(f"{path.name}: expected a mapping of key name to {{hash, scope}}")
    return keys_from_mapping(entries)


def keys_from_text(text: str) -> KeyRing:
    """From the environment form `scope=key,scope=key`; the plain keys are hashed at once."""
    keys = []
    for index, item in enumerate(part.strip() for part in text.split(",")):
        if not item:
            continue
        scope_text, separator, key = item.partition("=")
        if not separator or not key:
            raise ScopeError(f"API key entry {index + 1} is not 'scope=key'")
        keys.append(ApiKey(f"env-{index + 1}", hash_key(key), parse_scope(scope_text)))
    return KeyRing(tuple(keys))


def load_key_ring(keys_file: Path | None, keys_text: str | None) -> KeyRing:
    """Keys of the file and of the environment text together (either may be absent)."""
    file_keys = keys_from_file(keys_file).keys if keys_file else ()
    text_keys = keys_from_text(keys_text).keys if keys_text else ()
    return KeyRing((*file_keys, *text_keys))


@cache
def key_ring_from_environment() -> KeyRing:
    """The configured keys (read once): `MRVTRACE_API_KEYS_FILE` and `MRVTRACE_API_KEYS`."""
    settings = Settings()
    keys_text = settings.api_keys.get_secret_value() if settings.api_keys else None
    return load_key_ring(settings.api_keys_file, keys_text)


def resolve_key(presented_key: str | None, ring: KeyRing | None = None) -> Scope | None:
    """The scope of a presented key (None: no access); `ring` defaults to the configured keys."""
    return (ring or key_ring_from_environment()).resolve_key(presented_key)


def scope_filter(scope: Scope) -> ScopeFilter:
    """The store filter restricting units to the scope: its province or its city, and no
    units at all for public, which sees only the public lists."""
    return ScopeFilter(
        province_code=scope.code if scope.kind == ScopeKind.PROVINCE else None,
        region_code=scope.code if scope.kind == ScopeKind.CITY else None,
        units_visible=scope.kind != ScopeKind.PUBLIC,
    )
