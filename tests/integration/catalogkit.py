"""A catalog on the fake providers, started, for the catalog refresh tests.

``make(server, tmp_path, providers, …)`` builds the catalog's settings for ``providers`` on the
fake catalog server (the integration conftest's ``server`` fixture), with every provider's key
set, and starts it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from proxy.observability.metrics import Metrics
from tests.fakes.catalog_config import all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer


async def make(
    server: FakeCatalogServer,
    tmp_path: Path,
    providers: list[str],
    *,
    metrics: Metrics | None = None,
    **kw: Any,
) -> Catalog:
    catalog = Catalog(
        settings_from_dict(catalog_config(server, str(tmp_path), providers, **kw)),
        metrics=metrics,
        environ=all_keys(),
    )
    await catalog.start()
    return catalog
