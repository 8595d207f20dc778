"""API keys to scopes: the `X-API-Key` header resolves through app.services.access to a
jurisdiction.

No or an unknown key: 401. A `public` key may read only the public lists; on analyst routes it
gets 404, exactly like a unit outside a regional key's jurisdiction, so it learns nothing.
A client that sent too many wrong keys in the last minute gets 429 (with Retry-After) before
its key is even checked. The dependencies are `async`, so a request makes no trip to the
thread pool for its key; only a key stored as a PBKDF2 hash is checked there, since its hash
would stall the event loop.
"""

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from app.presentation.api.problems import Problem
from app.services.access import ApiKey, KeyRing, Scope, ScopeKind, key_ring_from_environment
from app.services.key_attempts import KeyAttempts
from app.services.review_states import Actor

API_KEY_HEADER = "X-API-Key"
_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="Your API key.")


class TooManyAttempts(Problem):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, f"too many wrong API keys from this client: retry in {retry_after} s")
        self.headers = {"Retry-After": str(retry_after)}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refuse_when_over_limit(request: Request) -> None:
    """TooManyAttempts when the client sent too many wrong keys of late."""
    attempts: KeyAttempts = request.app.state.key_attempts
    wait = attempts.retry_after(_client(request))
    if wait is not None:
        raise TooManyAttempts(wait)


def _found(request: Request, key: str, ring: KeyRing) -> ApiKey | None:
    """The configured key presented; a wrong one counts against the client."""
    found = ring.find(key)
    if found is None:
        request.app.state.key_attempts.failed(_client(request))
    return found


def checked_key(request: Request, key: str | None) -> ApiKey | None:
    """The configured key presented (None for none or a wrong one, which counts against the
    client); TooManyAttempts when the client is over its limit. Blocking for a PBKDF2 key:
    the UI's sync routes call it in the thread pool."""
    if not key:
        return None
    _refuse_when_over_limit(request)
    return _found(request, key, key_ring_from_environment())


async def _checked_key_off_the_loop(request: Request, key: str | None) -> ApiKey | None:
    """checked_key for async dependencies: in the thread pool only when the key costs a slow
    hash, so that the plain keys' requests make no trip there."""
    if not key:
        return None
    _refuse_when_over_limit(request)
    ring = key_ring_from_environment()
    if ring.hashes_slowly(key):
        return await run_in_threadpool(_found, request, key, ring)
    return _found(request, key, ring)


async def caller_scope(request: Request, key: Annotated[str | None, Security(_header)]) -> Scope:
    """The scope of the presented key; 401 problem+json without a valid key."""
    found = await _checked_key_off_the_loop(request, key)
    if found is None:
        raise Problem(401, f"a valid API key is required in the {API_KEY_HEADER} header")
    return found.scope


async def analyst_scope(scope: Annotated[Scope, Depends(caller_scope)]) -> Scope:
    """A scope that may see units (national, province, city); `public` gets 404."""
    if scope.kind == ScopeKind.PUBLIC:
        raise Problem(404, "not found")
    return scope


AnyScope = Annotated[Scope, Depends(caller_scope)]
AnalystScope = Annotated[Scope, Depends(analyst_scope)]


async def review_actor(request: Request, key: Annotated[str | None, Security(_header)]) -> Actor:
    """Who calls a review route: the key's name, role and scope (401 without a valid key; a
    `public` key gets 404, as on every analyst route)."""
    found = await _checked_key_off_the_loop(request, key)
    if found is None:
        raise Problem(401, f"a valid API key is required in the {API_KEY_HEADER} header")
    if found.scope.kind == ScopeKind.PUBLIC:
        raise Problem(404, "not found")
    return Actor(found.name, found.role, found.scope)


ReviewActor = Annotated[Actor, Depends(review_actor)]
