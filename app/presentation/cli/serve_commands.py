"""CLI verb `mrvtrace serve`: the REST API under uvicorn.

With several workers the server makes a fresh folder for the run before the workers start
(they inherit its paths) and deletes it when it stops: metrics go through prometheus_client's
multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`), so that `/metrics` from any worker sums all of
them, and the workers share their finished answers through a file in it
(`MRVTRACE_ANSWER_CACHE_SHARED_PATH`, app.presentation.api.shared_answers).
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (one per core serves most traffic).")
    ] = 1,
) -> None:
    """Serve the REST API (interactive docs at /docs, OpenAPI at /openapi.json)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from app.presentation.cli.http_protocol import BoundedHttpTools
    from app.presentation.cli.tcp_listener import TcpListenerConfig

    typer.echo(f"mrvtrace API on http://{host}:{port} (docs: http://{host}:{port}/docs)")
    config = TcpListenerConfig(
        "app.presentation.api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        # Our own middleware logs requests without query strings, which may carry keys.
        access_log=False,
        http=BoundedHttpTools,
    )
    if workers > 1:
        # Workers share the cores: each gets its share of threads for OpenMP and BLAS (the
        # embedding engine, numpy), so concurrent requests do not oversubscribe the machine.
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
        run_dir = Path(tempfile.mkdtemp(prefix="mrvtrace-serve-"))
        (run_dir / "metrics").mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(run_dir / "metrics")
        os.environ["MRVTRACE_ANSWER_CACHE_SHARED_PATH"] = str(run_dir / "answers.sqlite3")
        try:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)
    else:
        uvicorn.Server(config).run()


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command()(serve)
