"""Property-based requests generated from the app's OpenAPI schema never get a 5xx.

Runs in process (ASGI) on the swept embedded store with a national key, a few examples per
operation so the whole run stays well under a minute.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from app.services.access import key_ring_from_environment
from tests.swept_stores import analyst_app, swept_store

KEY = "schemathesis-national"


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    store, store_settings = swept_store("embedded", folder, None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_API_KEYS", f"national={KEY}")
        key_ring_from_environment.cache_clear()
        app = analyst_app(store_settings, store)
        # Enter the lifespan so app.state holds the store.
        with TestClient(app):
            yield schemathesis.openapi.from_asgi("/openapi.json", app)
    key_ring_from_environment.cache_clear()


def test_no_operation_answers_with_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    checked = [op for op in operations if op.method.upper() != "POST"]
    assert len(checked) >= 10
    for operation in checked:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"X-API-Key": KEY})
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

        check()
