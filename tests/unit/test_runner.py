"""`serve.runner`: the socket shared by N workers makes asyncio set TCP_NODELAY on every connection.

Without it each keep-alive response of a multi-worker server waits ~40 ms for the client's delayed
ACK. uvloop sets TCP_NODELAY by itself; the standard loop (uvicorn's fallback) needs the socket to
say IPPROTO_TCP, which uvicorn's own `bind_socket` does not.
"""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from serve.runner import TcpConfig


async def nodelay_of_accepted_connection(sock: socket.socket) -> int:
    """TCP_NODELAY of the server side of one connection accepted by the standard asyncio loop on `sock`."""
    loop = asyncio.get_running_loop()
    accepted: asyncio.Future[int] = loop.create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await loop.create_server(Probe, sock=sock)
    _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
    try:
        return await asyncio.wait_for(accepted, timeout=10)
    finally:
        writer.close()
        server.close()


def test_shared_socket_gets_tcp_nodelay_on_the_standard_loop() -> None:
    ours = TcpConfig("serve.app:create_app", factory=True, host="127.0.0.1", port=0, workers=2).bind_socket()
    with ours:
        assert ours.proto == socket.IPPROTO_TCP and ours.get_inheritable()
        assert asyncio.run(nodelay_of_accepted_connection(ours)) != 0


def test_uvicorn_own_shared_socket_still_lacks_it() -> None:
    """What TcpConfig works around, in the pinned uvicorn; when this fails, uvicorn fixed it and
    TcpConfig can go."""
    plain = uvicorn.Config("serve.app:create_app", factory=True, host="127.0.0.1", port=0, workers=2).bind_socket()
    with plain:
        assert plain.proto == 0
        assert asyncio.run(nodelay_of_accepted_connection(plain)) == 0
