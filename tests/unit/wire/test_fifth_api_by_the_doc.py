"""docs/architecture.md's recipe for a fifth chat API, followed literally.

On a copy of ``proxy/`` (and ``configs/``) in a temporary directory: the module the doc shows is
written where the doc says, the two lines the doc marks ``# new`` are added to
``proxy/wire/__init__.py``, nothing else is edited. A fresh interpreter then imports that copy
(so every table derived from ``CHAT_APIS`` at import time includes the new API, unlike a
registry patched at run time) and drives a real proxy (``create_app``) with a real fake
upstream on loopback that serves only the new path. The doc's code is read from the doc itself:
when the doc changes, this test runs the new text.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"


def recipe() -> tuple[str, str, str]:
    """(module path, module source, registry block) from the doc's section."""
    text = DOC.read_text()
    start = text.index("## Adding a fifth chat API")
    section = text[start : text.index("\n## ", start + 1)]
    blocks = [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", section, re.S)]
    assert len(blocks) == 2, "the section shows the module, then the registry lines"
    found = re.search(r"Write `(proxy/wire/\w+\.py)`", section)
    assert found is not None
    return found[1], blocks[0], blocks[1]


def apply_registry(init: str, block: str) -> str:
    """Add the doc's lines marked ``# new`` to ``__init__.py`` where the doc puts them."""
    new = [line for line in block.splitlines() if line.rstrip().endswith("# new")]
    assert len(new) == 2, new
    imports = [line for line in new if line.startswith(("from ", "import "))]
    entries = [line for line in new if line not in imports]
    lines = init.splitlines()
    last_import = max(i for i, line in enumerate(lines) if line.startswith("from proxy.wire."))
    lines[last_import + 1 : last_import + 1] = imports
    # the entry goes after the line the doc shows just before it
    before = block.splitlines()[block.splitlines().index(entries[0]) - 1]
    at = lines.index(before)
    lines[at + 1 : at + 1] = entries
    return "\n".join(lines) + "\n"


DRIVER = r"""
import asyncio, sys
from pathlib import Path

import aiohttp
import orjson
from aiohttp import web


async def main(root: str, cache: str) -> dict:
    import proxy
    from proxy.app import create_app
    from proxy.appkeys import LIFECYCLE
    from proxy.compress.invariants import violations
    from proxy.config import load_settings
    from proxy.wire import API_NAMES

    out: dict = {"proxy_file": proxy.__file__, "api_names": list(API_NAMES)}
    seen: list = []

    async def upstream(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body)
        return web.json_response({
            "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "ok"}}],
            "usage": {"prompt_tokens": 1234, "completion_tokens": 5, "total_tokens": 1239},
        })

    fake = web.Application()
    fake.router.add_post("/v1/agents/completions", upstream)
    fake_runner = web.AppRunner(fake, access_log=None)
    await fake_runner.setup()
    fake_site = web.TCPSite(fake_runner, "127.0.0.1", 0)
    await fake_site.start()
    fake_url = "http://127.0.0.1:%d" % fake_site._server.sockets[0].getsockname()[1]

    settings = load_settings(environ={}, overrides={
        "upstreams": {"mistral": {"base_url": fake_url + "/v1", "api": "openai", "api_key_env": None}},
        "default_upstream": "mistral",
        "catalog": {"cache_dir": cache, "refresh_on_start": False, "sources": ["litellm"],
                    "overrides": {"small-model": {"context_window": 16000, "max_output_tokens": 1000}}},
    })
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = "http://127.0.0.1:%d/mistral/agents/completions" % site._server.sockets[0].getsockname()[1]
    for _ in range(600):
        if app[LIFECYCLE].ready:
            break
        await asyncio.sleep(0.05)
    try:
        messages = [{"role": "system", "content": "You are terse."}]
        for i in range(12):
            lines = "\n".join(
                f"src/mod_{i}.py:{j}: def handler_{i}_{j}(request_id={i * 1000 + j}): return fetch({j})"
                for j in range(120)
            )
            messages.append({"role": "user", "content": f"step {i}:\n{lines}"})
            messages.append({"role": "assistant", "content": f"done {i}"})
        messages.append({"role": "user", "content": "and now?"})
        body = {"model": "small-model", "messages": messages, "max_tokens": 100}
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=body) as r:
                out["status"] = r.status
                out["compressed"] = r.headers.get("x-ctxproxy-compressed")
                out["answer"] = (await r.json())["choices"][0]["message"]["content"]
            # Over the trigger by its bytes (a small one is the provider's to refuse): checked here.
            bad = {"model": "small-model", "messages": "not a list", "metadata": {"pad": "x" * 13000}}
            async with http.post(url, json=bad) as r:
                out["bad_status"] = r.status
                out["bad_body"] = await r.json()
            base = url.split("/mistral/")[0]
            for _ in range(50):
                async with http.get(base + "/stats") as r:
                    stats = await r.json()
                if stats["total"].get("provider_input_tokens"):
                    break
                await asyncio.sleep(0.05)
            out["provider_input_tokens"] = stats["total"].get("provider_input_tokens")
        out["upstream_requests"] = len(seen)
        out["sent_chars"] = len(orjson.dumps(body))
        out["forwarded_chars"] = len(orjson.dumps(seen[0])) if seen else 0
        out["forwarded_violations"] = sorted(violations("mistral-chat", seen[0])) if seen else None
        out["last_message_kept"] = bool(seen) and seen[0]["messages"][-1] == messages[-1]
    finally:
        await runner.cleanup()
        await fake_runner.cleanup()
    return out


print(orjson.dumps(asyncio.run(main(sys.argv[1], sys.argv[2]))).decode())
"""


def test_the_recipe_adds_exactly_two_lines_to_the_registry_module() -> None:
    _path, _module, block = recipe()
    init = (ROOT / "proxy" / "wire" / "__init__.py").read_text()
    changed = apply_registry(init, block)
    added = [d for d in difflib.ndiff(init.splitlines(), changed.splitlines()) if d.startswith(("+ ", "- "))]
    assert added == [
        "+ from proxy.wire.mistral_chat import MistralChatAdapter  # new",
        "+         MistralChatAdapter(),  # new",
    ]


@pytest.fixture
def copy_with_fifth_api(tmp_path: Path) -> Path:
    path, module, block = recipe()
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "proxy", root / "proxy", ignore=ignore)
    shutil.copytree(ROOT / "configs", root / "configs", ignore=ignore)
    assert not (root / path).exists()
    (root / path).write_text(module)
    init = root / "proxy" / "wire" / "__init__.py"
    init.write_text(apply_registry(init.read_text(), block))
    return root


def test_a_proxy_built_from_the_recipe_serves_the_new_api(copy_with_fifth_api: Path, tmp_path: Path) -> None:
    root = copy_with_fifth_api
    env = {**os.environ, "PYTHONPATH": str(root), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(root), str(tmp_path / "cache")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out: dict[str, Any] = orjson.loads(done.stdout.strip().splitlines()[-1])
    assert Path(out["proxy_file"]).resolve().is_relative_to(root.resolve())  # the copy, not the checkout
    assert out["api_names"][-1] == "mistral-chat"
    # routed by path, compressed, forwarded to the new path, the provider's answer passed back
    assert (out["status"], out["compressed"], out["answer"]) == (200, "1", "ok")
    assert out["upstream_requests"] == 1
    assert out["forwarded_chars"] < out["sent_chars"] / 2
    assert out["forwarded_violations"] == [] and out["last_message_kept"]
    # usage read from the answer (the usage tap) into /stats
    assert out["provider_input_tokens"] == 1234
    # a malformed body: 400 in the family's (OpenAI) error shape, never forwarded
    assert out["bad_status"] == 400
    assert set(out["bad_body"]["error"]) == {"message", "type", "param", "code"}
