"""`mrvtrace serve --workers N` hands its workers a TCP listener whose connections get
TCP_NODELAY (without it every keep-alive response waits ~40 ms for a delayed ACK)."""

import asyncio
import socket

from app.presentation.cli.tcp_listener import TcpListenerConfig


async def _accepted_nodelay(listener: socket.socket) -> int:
    """TCP_NODELAY of a connection asyncio accepts on `listener`, as uvicorn's workers do."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
    port = listener.getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await asyncio.wait_for(accepted, timeout=10)
    finally:
        writer.close()
        server.close()


def test_multi_worker_listener_is_tcp_and_its_connections_skip_nagle() -> None:
    config = TcpListenerConfig(
        "app.presentation.api.main:create_app", host="127.0.0.1", port=0, workers=2
    )
    listener = config.bind_socket()
    assert listener.proto == socket.IPPROTO_TCP
    assert listener.get_inheritable()
    assert asyncio.run(_accepted_nodelay(listener)) != 0
