"""uvicorn's configuration with a listener that gives every connection TCP_NODELAY, and our
JSON logging in every process that serves (each worker is a fresh interpreter)."""

import socket

import uvicorn

from app.infrastructure.observability import configure_logging


class TcpListenerConfig(uvicorn.Config):
    """uvicorn's multi-worker listener is created without IPPROTO_TCP, so asyncio leaves Nagle's
    algorithm on for its connections and every keep-alive response after the first waits ~40 ms
    for the client's delayed ACK (Kludex/uvicorn#3149). The listener is re-wrapped as TCP, which
    accepted connections inherit, and asyncio then sets TCP_NODELAY on them."""

    def configure_logging(self) -> None:
        # uvicorn calls this in the server process and again in each spawned worker; without
        # it a worker logs nothing of ours and prints an unformatted traceback on a 500.
        super().configure_logging()
        configure_logging("INFO")

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp
