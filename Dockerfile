# Image for the `api` and `sweeper` services of compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /srv/mrvtrace
COPY pyproject.toml README.md ./
COPY app ./app
COPY graph_schema ./graph_schema
COPY loaders ./loaders
COPY models ./models
COPY engine ./engine
COPY cypher ./cypher
COPY synthetic ./synthetic
RUN pip install . && useradd --create-home --uid 10001 mrvtrace \
    && mkdir -p /data/mrvtrace && chown mrvtrace /data/mrvtrace

USER mrvtrace
EXPOSE 8000
CMD ["uvicorn", "app.presentation.api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
