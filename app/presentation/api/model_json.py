"""A route's answer, already built as its pydantic model, sent as JSON as it is.

FastAPI validates a returned model again against the route's `response_model` (for a sync route
in one more thread-pool trip) before it serialises it. The models sent here were validated when
they were built, so the busiest read routes send them straight away; each keeps its
`response_model` for the OpenAPI schema.
"""

from fastapi.responses import Response
from pydantic import BaseModel


class ModelJSON(Response):
    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200) -> None:
        super().__init__(model.model_dump_json(by_alias=True), status_code=status_code)
