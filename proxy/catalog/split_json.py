"""Decode a large JSON document without holding the GIL for one long stretch.

``orjson.loads`` of LiteLLM's 3 MB map is one C call that keeps the GIL for ≈10 ms, even in a
worker thread: the event loop (and every request in flight) stalls meanwhile. Here a short-lived
child process decodes the document and writes it back as one line per top-level member
(``[key, value]`` for an object, ``value`` for an array); the parent decodes the small lines in
a worker thread, handing the GIL back every few lines. Same result as ``orjson.loads(raw)``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import orjson

from proxy.catalog.bulk import Breather, off_loop

# The child: stdin = the document, stdout = "O" or "A" then one member per line.
_CHILD = r"""
import sys, orjson
doc = orjson.loads(sys.stdin.buffer.read())
out = sys.stdout.buffer
if isinstance(doc, dict):
    out.write(b"O\n")
    for item in doc.items():
        out.write(orjson.dumps(item) + b"\n")
elif isinstance(doc, list):
    out.write(b"A\n")
    for item in doc:
        out.write(orjson.dumps(item) + b"\n")
else:
    out.write(b"V\n" + orjson.dumps(doc) + b"\n")
"""


class SplitError(Exception):
    """The child could not decode the document (invalid JSON, or it failed to run)."""


def assemble(lines: bytes) -> Any:
    """Rebuild the document from the child's lines, releasing the GIL every 50 lines."""
    kind, _, rest = lines.partition(b"\n")
    breathe = Breather(every=50)
    members = []
    for line in rest.split(b"\n"):
        if line:
            members.append(orjson.loads(line))
            breathe()
    if kind == b"O":
        return dict(members)
    if kind == b"A":
        return members
    if kind == b"V" and len(members) == 1:
        return members[0]
    raise SplitError("unexpected output")


async def loads_out_of_process(raw: bytes, timeout_s: float = 30.0) -> Any:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CHILD,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(raw), timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise SplitError("timeout") from None
    if proc.returncode != 0:
        raise SplitError(f"exit {proc.returncode}")
    return await off_loop(assemble, out)
