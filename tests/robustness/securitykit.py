"""What the security tests send and read: a minimal chat body, and the recording fake
upstream's URL and the requests it saw (the fake is the ``recording`` fixture).
"""

from __future__ import annotations

import orjson
from aiohttp.test_utils import TestServer

from tests.fakes import transport
from tests.fakes.transport import FakeState

CHAT = orjson.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


def _seen(server: TestServer) -> FakeState:
    return server.app[transport.STATE]
