"""A misbehaving upstream on a raw TCP socket: every fault an HTTP server can commit.

The first path segment after ``/v1/`` picks the fault (the rest of the path is ignored, so a
chat route like ``/v1/reset-mid/chat/completions`` reaches the proxy's chat pipeline):

- ``reset-before``: read the request, then reset the connection (RST) without a byte;
- ``close-before``: read the request, then close cleanly without a byte;
- ``garbage-before``: answer bytes that are not HTTP;
- ``stall-before``: read the request and never answer;
- ``reset-mid`` / ``stall-mid`` / ``garbage-mid``: send SSE headers and two events, then reset,
  stall, or break the chunked framing;
- ``big-event``: one SSE event of 10 MB (``data: xxxx…``), then ``[DONE]``, then a clean end.

``connections`` counts accepted connections; ``BIG_EVENT`` is what ``big-event`` sends. Leaving
the context closes every connection (a stalled one too) and waits for its handler to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Self

BIG_EVENT = b"data: " + b'{"x":"' + b"y" * (10 * 1024 * 1024) + b'"}\n\n'
_EVENT = b'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n'
_SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:  # SO_LINGER 0: close() sends RST instead of FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultyUpstream:
    def __init__(self) -> None:
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._stalls: list[asyncio.Event] = []
        self._handlers: set[asyncio.Task[None]] = set()
        self.url = ""

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ev in self._stalls:
            ev.set()
        assert self._server is not None
        self._server.close()
        if self._handlers:  # each closes its own connection on the way out
            await asyncio.wait(self._handlers, timeout=2)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _stall(self) -> None:
        ev = asyncio.Event()
        self._stalls.append(ev)
        await ev.wait()

    async def _read_request(self, reader: asyncio.StreamReader) -> str:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
        path = lines[0].split(" ")[1]
        return path.split("/")[2] if path.count("/") >= 2 else ""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._fault(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()  # a no-op after a reset or an earlier close
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._handlers.discard(task)

    async def _fault(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fault = await self._read_request(reader)
        if fault == "reset-before":
            _reset(writer)
            return
        if fault == "close-before":
            writer.close()
            return
        if fault == "garbage-before":
            writer.write(b"\x00\x01NOT HTTP AT ALL\r\n\r\n\xff\xfe")
            await writer.drain()
            writer.close()
            return
        if fault == "stall-before":
            await self._stall()
            return
        if fault == "big-event":
            writer.write(_SSE_HEAD + _chunk(BIG_EVENT) + _chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        writer.write(_SSE_HEAD + _chunk(_EVENT) + _chunk(_EVENT))
        await writer.drain()
        await asyncio.sleep(0.05)
        if fault == "reset-mid":
            _reset(writer)
        elif fault == "garbage-mid":
            writer.write(b"zz-not-a-chunk-size\r\n\r\n")
            await writer.drain()
            writer.close()
        else:  # stall-mid
            await self._stall()
