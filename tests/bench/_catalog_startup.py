"""What the catalog costs at start-up and per lookup, for ``bench_catalog.py``: the fixture
providers' configuration on a fake catalog server (``fake_config``), a full snapshot built from
that server (real documents or a models.dev-sized synthetic catalog), the time ``Catalog(...)``
plus ``start()`` takes with or without a snapshot, and the time of a memoized lookup and of an
id's first lookup."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from tests.fakes.catalog_config import UPSTREAMS, all_keys, catalog_config
from tests.fakes.catalog_docs import synthetic_models_dev
from tests.fakes.catalog_server import FakeCatalogServer, use_real_documents

MODELS_DEV_SIZE = (80, 30)  # providers × models: about models.dev's size (~2400 models)
ALL_SOURCES = ["litellm", "models_dev", "openrouter", "native"]


def fake_config(root: str, cache_dir: str, **catalog: Any) -> dict[str, Any]:
    """The fixture providers on a fake catalog server at ``root`` (no FakeCatalogServer object)."""

    class _At:
        def base(self, provider: str) -> str:
            return f"{root}/{provider}"

    return catalog_config(_At(), cache_dir, list(UPSTREAMS), sources=ALL_SOURCES, **catalog)  # type: ignore[arg-type]


async def build_snapshot(cache_dir: Path, real: bool) -> tuple[str, int]:
    server = await FakeCatalogServer().start()
    if real:
        use_real_documents(server)
    else:
        server.bodies["models_dev"] = synthetic_models_dev(*MODELS_DEV_SIZE)
    catalog = Catalog(settings_from_dict(fake_config(server.root, str(cache_dir))), environ=all_keys())
    await catalog.start()
    diff = await catalog.refresh()
    assert not diff.errors, diff.errors
    await catalog.close()
    await server.close()
    size = (cache_dir / "catalog.json").stat().st_size
    return (
        f"{len(catalog.models())} listed, {sum(len(s.models) for _, s in catalog.states().values())} entries",
        size,
    )


async def time_start(settings: Any, runs: int, fresh_dir: Path | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        if fresh_dir is not None:
            shutil.rmtree(fresh_dir, ignore_errors=True)
        started = time.perf_counter()
        catalog = Catalog(settings, environ=all_keys())
        await catalog.start()
        out.append((time.perf_counter() - started) * 1000)
        assert catalog.lookup("gpt-4o").context_window == 128000
        await catalog.close()
    return out


def time_lookups(catalog: Catalog, n: int) -> tuple[float, float]:
    ids = [
        ("gpt-4o", None),
        ("claude-sonnet-4-5-20250929", "anthropic"),
        ("openai/gpt-oss-120b", "groq"),
        ("accounts/fireworks/models/gpt-oss-120b", "fireworks"),
        ("models/gemini-2.5-pro", "gemini"),
        ("anthropic/claude-sonnet-4.5:free", None),
        ("no-such-model", "openai"),
    ]
    for model, upstream in ids:
        catalog.lookup(model, upstream)
    started = time.perf_counter()
    for _ in range(n // len(ids)):
        for model, upstream in ids:
            catalog.lookup(model, upstream)
    memo = (time.perf_counter() - started) / (n // len(ids) * len(ids)) * 1e6
    fresh = [f"gpt-4o-mini-2024-07-{i:04d}" for i in range(2000)]
    started = time.perf_counter()
    for model in fresh:
        catalog.lookup(model, "openai")
    first = (time.perf_counter() - started) / len(fresh) * 1e6
    return memo, first
