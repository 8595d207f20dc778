"""uvicorn's configuration with a listener that gives every connection TCP_NODELAY."""

import socket

import uvicorn


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
