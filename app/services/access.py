"""Access by jurisdiction: API keys mapped to scopes, stored hashed.

A scope is `national`, `province:<code>`, `city:<code>` or `public`. Keys come from a YAML/JSON
file (`name: {id: ..., hash: ..., scope: ..., role: ...}`, the id being the key's first 8
characters, which select the one hash a presented key is checked against) or from the
environment as `scope=key,scope@role=key`; only hashes are kept. A key's role (`reviewer`,
`supervisor`, `read-only`) says what it may do with review findings besides reading them; a key
configured without one is `read-only`, so every key written before roles existed keeps exactly
the access it had (it reads, it decides nothing). Hashes are `sha256$<salt>$<hex>` (API keys are
long random tokens, so one salted SHA-256 is enough and keeps each request fast) or
`pbkdf2_sha256$<iterations>$<salt>$<hex>`. Comparison is constant-time. `scope_filter` gives
the parameters a store query takes, so that scope is applied inside the query, never after it.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path

import yaml

from app.infrastructure.stores.contract import ScopeFilter
from app.settings import Settings

_PBKDF2_ITERATIONS = 200_000
KEY_ID_LENGTH = 8
# A key in a file shows its first KEY_ID_LENGTH characters: the rest must still be a secret.
MIN_FILE_KEY_LENGTH = 32


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


class Role(StrEnum):
    """What a key may do with review findings (app.services.review_states says which change
    needs which role)."""

    READ_ONLY = "read-only"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"


# A key configured without a role: it reads as every key did before roles, and decides nothing.
DEFAULT_ROLE = Role.READ_ONLY


def parse_role(text: str | None) -> Role:
    """`reviewer`, `supervisor` or `read-only` (DEFAULT_ROLE when absent); ScopeError otherwise."""
    if text is None or not text.strip():
        return DEFAULT_ROLE
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ScopeError(
            f"unknown role {text!r}: expected one of {', '.join(r.value for r in Role)}"
        ) from None


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
    # A file key's first KEY_ID_LENGTH characters, stored plain: they pick the one hash to check.
    key_id: str | None = None
    role: Role = DEFAULT_ROLE


# A per-process secret: configured plain keys are found by HMAC under it, so a presented key
# costs one HMAC, whatever the number of keys, and the index is worth nothing outside.
_PEPPER = secrets.token_bytes(32)


def _lookup_digest(key: str) -> bytes:
    return hmac.new(_PEPPER, key.encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[ApiKey, ...]
    # Plain keys of the environment by their lookup digest; file keys by their key id.
    by_digest: Mapping[bytes, ApiKey] = field(default_factory=dict)

    @cached_property
    def by_id(self) -> dict[str, ApiKey]:
        found: dict[str, ApiKey] = {}
        for key in self.keys:
            if key.key_id is None:
                continue
            if key.key_id in found:
                raise ScopeError(
                    f"API keys {found[key.key_id].name!r} and {key.name!r} have the same id "
                    f"{key.key_id!r}: a key's first {KEY_ID_LENGTH} characters must be unique"
                )
            found[key.key_id] = key
        return found

    def find(self, presented_key: str | None) -> ApiKey | None:
        """The configured key presented, or None. At most one hash is computed: the plain
        keys are looked up by digest, the hashed ones by their id."""
        if not presented_key:
            return None
        plain = self.by_digest.get(_lookup_digest(presented_key))
        if plain is not None:
            return plain
        stored = self.by_id.get(presented_key[:KEY_ID_LENGTH])
        if stored is not None and verify_key(presented_key, stored.hash):
            return stored
        return None

    def hashes_slowly(self, presented_key: str | None) -> bool:
        """Whether finding `presented_key` costs a PBKDF2 hash (tens of milliseconds), which
        must not run on the event loop; a plain key's HMAC or a salted SHA-256 does not."""
        if not presented_key or _lookup_digest(presented_key) in self.by_digest:
            return False
        stored = self.by_id.get(presented_key[:KEY_ID_LENGTH])
        return stored is not None and stored.hash.startswith("pbkdf2_sha256$")

    def resolve_key(self, presented_key: str | None) -> Scope | None:
        """The scope of the presented key, or None for a missing or unknown key."""
        found = self.find(presented_key)
        return None if found is None else found.scope

    def holds(self, name: str, scope: Scope) -> bool:
        """Whether a key of this name and scope is still configured (sessions outlive edits)."""
        return any(k.name == name and k.scope == scope for k in self.keys)


def key_entry(
    key: str, scope: str, scheme: str = "sha256", role: str | None = None
) -> dict[str, str]:
    """The entry of a keys file for `key` (name it as you like): its id, hash and scope, and
    its role when one is given (without, the key is DEFAULT_ROLE)."""
    if len(key) < MIN_FILE_KEY_LENGTH:
        raise ScopeError(f"a key in a file needs at least {MIN_FILE_KEY_LENGTH} characters")
    entry = {"id": key[:KEY_ID_LENGTH], "hash": hash_key(key, scheme), "scope": scope}
    return entry | ({"role": parse_role(role).value} if role is not None else {})


def keys_from_mapping(entries: Mapping[str, Mapping[str, str]]) -> KeyRing:
    """From the file form: name -> {id, hash, scope}."""
    keys = []
    for name, entry in entries.items():
        if not isinstance(entry, Mapping) or "hash" not in entry or "scope" not in entry:
            raise ScopeError(f"API key {name!r} needs an 'id', a 'hash' and a 'scope'")
        key_id = str(entry.get("id", ""))
        if len(key_id) != KEY_ID_LENGTH:
            raise ScopeError(
                f"API key {name!r} needs an 'id': the key's first {KEY_ID_LENGTH} characters "
                "(keys are looked up by id, so that a wrong key costs one hash, not one per "
                "configured key); key_entry() in app.services.access writes a whole entry"
            )
        scope = parse_scope(str(entry["scope"]))
        role = parse_role(str(entry["role"]) if entry.get("role") is not None else None)
        keys.append(ApiKey(str(name), str(entry["hash"]), scope, key_id, role))
    ring = KeyRing(tuple(keys))
    _ = ring.by_id  # duplicate ids are a configuration error: raise it now, not per request
    return ring


def keys_from_file(path: Path) -> KeyRing:
    """A YAML or JSON file mapping name -> {hash, scope}."""
    text = path.read_text(encoding="utf-8")
    entries = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if not isinstance(entries, Mapping):
        raise ScopeError(f"{path.name}: expected a mapping of key name to {{hash, scope}}")
    return keys_from_mapping(entries)


def keys_from_text(text: str) -> KeyRing:
    """From the environment form `scope=key,scope@role=key`; the plain keys are hashed at once."""
    keys: list[ApiKey] = []
    plain: dict[bytes, ApiKey] = {}
    for index, item in enumerate(part.strip() for part in text.split(",")):
        if not item:
            continue
        scope_text, separator, key = item.partition("=")
        if not separator or not key:
            raise ScopeError(f"API key entry {index + 1} is not 'scope=key'")
        scope_text, _, role_text = scope_text.partition("@")
        role = parse_role(role_text or None)
        keys.append(ApiKey(f"env-{index + 1}", hash_key(key), parse_scope(scope_text), role=role))
        plain[_lookup_digest(key)] = keys[-1]
    return KeyRing(tuple(keys), plain)


def load_key_ring(keys_file: Path | None, keys_text: str | None) -> KeyRing:
    """Keys of the file and of the environment text together (either may be absent)."""
    file_ring = keys_from_file(keys_file) if keys_file else KeyRing(())
    text_ring = keys_from_text(keys_text) if keys_text else KeyRing(())
    ring = KeyRing((*file_ring.keys, *text_ring.keys), text_ring.by_digest)
    _ = ring.by_id
    return ring


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
