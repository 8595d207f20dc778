"""API keys to scopes: the `X-API-Key` header resolves through app.services.access to a
jurisdiction.

No or an unknown key: 401. A `public` key may read only the public lists; on analyst routes it
gets 404, exactly like a unit outside a regional key's jurisdiction, so it learns nothing.
`caller_scope` runs in the thread pool (a PBKDF2 key hash would stall the event loop);
`analyst_scope` only compares, so it is `async` and saves each request a second trip there.
"""

from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from app.presentation.api.problems import Problem
from app.services.access import Scope, ScopeKind, resolve_key

API_KEY_HEADER = "X-API-Key"
_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="Your API key.")


def caller_scope(key: Annotated[str | None, Security(_header)]) -> Scope:
    """The scope of the presented key; 401 problem+json without a valid key."""
    scope = resolve_key(key)
    if scope is None:
        raise Problem(401, f"a valid API key is required in the {API_KEY_HEADER} header")
    return scope


async def analyst_scope(scope: Annotated[Scope, Depends(caller_scope)]) -> Scope:
    """A scope that may see units (national, province, city); `public` gets 404."""
    if scope.kind == ScopeKind.PUBLIC:
        raise Problem(404, "not found")
    return scope


AnyScope = Annotated[Scope, Depends(caller_scope)]
AnalystScope = Annotated[Scope, Depends(analyst_scope)]
