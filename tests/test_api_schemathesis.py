"""Property-based requests generated from the app's OpenAPI schema pass every schemathesis check
(as `--checks all`: no 5xx, documented status codes, content types, headers and bodies, invalid
input refused, valid input accepted, auth not ignored), valid and invalid requests alike.

Runs in process (ASGI) on the swept embedded store with a national key, a few examples per
operation and mode so the whole run stays well under a minute. The key limit is lifted here:
the auth checks send wrong keys on purpose, and a limited client would get only 429s.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from app.services.access import key_ring_from_environment
from tests.swept_stores import analyst_app, swept_store

KEY = "schemathesis-national"
EXAMPLES = 6


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    store, store_settings = swept_store("embedded", folder, None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_API_KEYS", f"national={KEY}")
        key_ring_from_environment.cache_clear()
        unlimited = store_settings.model_copy(update={"key_failures_per_minute": 10**9})
        app = analyst_app(unlimited, store)
        # Enter the lifespan so app.state holds the store.
        with TestClient(app):
            schema = schemathesis.openapi.from_asgi("/openapi.json", app)
            # The API ignores query parameters it does not know, as HTTP APIs do.
            schema.config.generation.update(allow_extra_parameters=False)
            yield schema
    key_ring_from_environment.cache_clear()


def test_every_operation_passes_every_check(api_schema: schemathesis.BaseSchema) -> None:
    load_all_checks()
    checks = CHECKS.get_all()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # POST /sweeps would start sweeps, which have their own tests.
    checked = [op for op in operations if (op.method.upper(), op.path) != ("POST", "/sweeps")]
    assert len(checked) >= 14
    for operation in checked:
        # An operation without parameters or body has no invalid request to make.
        takes_input = any(True for _ in operation.iter_parameters()) or bool(operation.body)
        modes = [GenerationMode.POSITIVE] + [GenerationMode.NEGATIVE] * takes_input
        for mode in modes:

            @given(case=operation.as_strategy(mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
            def check(case: schemathesis.Case) -> None:
                # The generated key is replaced by a valid one; a case that left the required
                # header out on purpose (an invalid request) is sent without it.
                sent = "X-API-Key" in (case.headers or {})
                case.call_and_validate(headers={"X-API-Key": KEY} if sent else None, checks=checks)

            check()
