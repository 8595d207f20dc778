"""API keys to scopes: the `X-API-Key` header resolves through app.services.access to a
jurisdiction.

No or an unknown key: 401. A `public` key may read only the public lists; on analyst routes it
gets 404, exactly like a unit outside a regional key's jurisdiction, so it learns nothing.
A client that sent too many wrong keys in the last minute gets 429 (with Retry-After) before
its key is even checked. `caller_scope` runs in the thread pool (a PBKDF2 key hash would stall
the event loop); `analyst_scope` only compares, so it is `async` and saves each request a
second trip there.
"""

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from app.presentation.api.problems import Problem
from app.services.access import ApiKey, Scope, ScopeKind, key_ring_from_environment
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


def checked_key(request: Request, key: str | None) -> ApiKey | None:
    """The configured key presented (None for none or a wrong one, which counts against the
    client); TooManyAttempts when the client is over its limit. Blocking: call it off the loop."""
    if not key:
        return None
    attempts: KeyAttempts = request.app.state.key_attempts
    client = _client(request)
    wait = attempts.retry_after(client)
    if wait is not None:
        raise TooManyAttempts(wait)
    found = key_ring_from_environment().find(key)
    if found is None:
        attempts.failed(client)
    return found


def caller_scope(request: Request, key: Annotated[str | None, Security(_header)]) -> Scope:
    """The scope of the presented key; 401 problem+json without a valid key."""
    found = checked_key(request, key)
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


def review_actor(request: Request, key: Annotated[str | None, Security(_header)]) -> Actor:
    """Who calls a review route: the key's name, role and scope (401 without a valid key; a
    `public` key gets 404, as on every analyst route)."""
    found = checked_key(request, key)
    if found is None:
        raise Problem(401, f"a valid API key is required in the {API_KEY_HEADER} header")
    if found.scope.kind == ScopeKind.PUBLIC:
        raise Problem(404, "not found")
    return Actor(found.name, found.role, found.scope)


ReviewActor = Annotated[Actor, Depends(review_actor)]
