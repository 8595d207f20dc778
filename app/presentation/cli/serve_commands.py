"""CLI verb `mrvtrace serve`: the REST API under uvicorn."""

import socket
from typing import Annotated

import typer
import uvicorn
from uvicorn.supervisors import Multiprocess

from app.infrastructure.observability import configure_logging


class TcpListenerConfig(uvicorn.Config):
    """uvicorn's multi-worker listener is created without IPPROTO_TCP, so asyncio leaves Nagle's
    algorithm on for its connections and every keep-alive response after the first waits ~40 ms
    for the client's delayed ACK (Kludex/uvicorn#3149). The listener is re-wrapped as TCP, which
    accepted connections inherit, and asyncio then sets TCP_NODELAY on them."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (one per core serves most traffic).")
    ] = 1,
) -> None:
    """Serve the REST API (interactive docs at /docs, OpenAPI at /openapi.json)."""
    configure_logging("INFO")
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
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command()(serve)
