"""All settings of mrvtrace, read from the environment in one place."""

from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Defaults the CLI's help also names.
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 7474
DEFAULT_SWEEP_CRON = "0 2 * * *"
DEFAULT_KEEP_SWEEPS = 20
DEFAULT_SWEEP_MIN_INTERVAL_S = 60.0


class StoreKind(StrEnum):
    EMBEDDED = "embedded"
    NEO4J = "neo4j"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    neo4j_uri: str = Field("bolt://127.0.0.1:7687", validation_alias="NEO4J_URI")
    neo4j_user: str = Field("neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr = Field(SecretStr(""), validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field("neo4j", validation_alias="NEO4J_DATABASE")
    store: StoreKind = Field(StoreKind.EMBEDDED, validation_alias="MRVTRACE_STORE")
    home: Path = Field(Path(".mrvtrace"), validation_alias="MRVTRACE_HOME")

    # Local Neo4j provisioning (`mrvtrace neo4j ...`).
    neo4j_version: str = Field("2025.12.1", validation_alias="MRVTRACE_NEO4J_VERSION")
    neo4j_bolt_port: int = Field(DEFAULT_BOLT_PORT, validation_alias="MRVTRACE_NEO4J_BOLT_PORT")
    neo4j_http_port: int = Field(DEFAULT_HTTP_PORT, validation_alias="MRVTRACE_NEO4J_HTTP_PORT")
    neo4j_heap: str = Field("1g", validation_alias="MRVTRACE_NEO4J_HEAP")
    neo4j_pagecache: str = Field("512m", validation_alias="MRVTRACE_NEO4J_PAGECACHE")
    neo4j_java: str | None = Field(None, validation_alias="MRVTRACE_NEO4J_JAVA")
    neo4j_cache_dir: Path = Field(Path(".cache/neo4j"), validation_alias="MRVTRACE_NEO4J_CACHE")

    # Analysis and access.
    allowance_price_cny: float = Field(90.0, validation_alias="MRVTRACE_ALLOWANCE_PRICE_CNY")
    api_keys_file: Path | None = Field(None, validation_alias="MRVTRACE_API_KEYS_FILE")
    api_keys: SecretStr | None = Field(None, validation_alias="MRVTRACE_API_KEYS")
    # Why and trace answers kept per API worker until the results change (0: none), and how
    # long a worker trusts the results version it last read: the most a kept answer lags a
    # publish or a load (0: one small store read on every request, never a lag).
    answer_cache_entries: int = Field(4096, ge=0, validation_alias="MRVTRACE_ANSWER_CACHE_ENTRIES")
    answer_cache_check_s: float = Field(1.0, ge=0, validation_alias="MRVTRACE_ANSWER_CACHE_CHECK_S")
    # A file where the workers of one server share their answers (as many again): `mrvtrace
    # serve --workers N` sets a fresh one for each run; None: each worker keeps its own only.
    answer_cache_shared_path: Path | None = Field(
        None, validation_alias="MRVTRACE_ANSWER_CACHE_SHARED_PATH"
    )

    # The knowledge base: a folder of the user's guidance documents (Markdown or plain text)
    # indexed beside the rules, docs and findings, and whether each sweep re-indexes it.
    kb_folder: Path | None = Field(None, validation_alias="MRVTRACE_KB_FOLDER")
    kb_refresh_on_sweep: bool = Field(True, validation_alias="MRVTRACE_KB_REFRESH_ON_SWEEP")

    # Operations.
    sweep_cron: str = Field(DEFAULT_SWEEP_CRON, validation_alias="MRVTRACE_SWEEP_CRON")
    # Sweeps kept (with their scores and models); older ones are deleted after each sweep.
    keep_sweeps: int = Field(DEFAULT_KEEP_SWEEPS, ge=1, validation_alias="MRVTRACE_KEEP_SWEEPS")
    # Least time between two sweeps started over the API (`POST /sweeps` answers 429 sooner).
    sweep_min_interval_s: float = Field(
        DEFAULT_SWEEP_MIN_INTERVAL_S, ge=0, validation_alias="MRVTRACE_SWEEP_MIN_INTERVAL_S"
    )

    # Limits at the edge of the API.
    max_body_bytes: int = Field(1 << 20, gt=0, validation_alias="MRVTRACE_MAX_BODY_BYTES")
    max_header_bytes: int = Field(32 << 10, gt=0, validation_alias="MRVTRACE_MAX_HEADER_BYTES")
    # Requests on one keep-alive connection before the server closes it (nginx's
    # keepalive_requests), so that clients spread again over the workers.
    keep_alive_max_requests: int = Field(
        100, gt=0, validation_alias="MRVTRACE_KEEP_ALIVE_MAX_REQUESTS"
    )
    key_failures_per_minute: int = Field(
        10, gt=0, validation_alias="MRVTRACE_KEY_FAILURES_PER_MINUTE"
    )
    session_hours: float = Field(8.0, gt=0, validation_alias="MRVTRACE_SESSION_HOURS")
    # Origins (scheme://host:port) allowed to fetch /browser/*; default: the local Neo4j Browser.
    browser_origins: str | None = Field(None, validation_alias="MRVTRACE_BROWSER_ORIGINS")

    @property
    def allowed_browser_origins(self) -> frozenset[str]:
        if self.browser_origins is not None:
            return frozenset(o.strip().rstrip("/") for o in self.browser_origins.split(",") if o)
        port = self.neo4j_http_port
        return frozenset({f"http://localhost:{port}", f"http://127.0.0.1:{port}"})

    @property
    def neo4j_auth(self) -> tuple[str, str] | None:
        password = self.neo4j_password.get_secret_value()
        return (self.neo4j_user, password) if password else None

    def store_environment(self) -> dict[str, str]:
        """The environment variables that open this store, for a child process (a CLI run)."""
        return {
            "MRVTRACE_STORE": self.store.value,
            "MRVTRACE_HOME": str(self.home),
            "NEO4J_URI": self.neo4j_uri,
            "NEO4J_USER": self.neo4j_user,
            "NEO4J_PASSWORD": self.neo4j_password.get_secret_value(),
            "NEO4J_DATABASE": self.neo4j_database,
        }


@cache
def get_settings() -> Settings:
    return Settings()
