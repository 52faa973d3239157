"""The sources report: how much of the native chat models a third-party source covers, the
gaps it fills and where it disagrees with the native lists.

Each test refreshes a real :class:`~proxy.catalog.Catalog` against the fake providers
(``server``, a fixture of the integration conftest).
"""

from __future__ import annotations

from pathlib import Path

from tests.fakes.catalog_server import FakeCatalogServer
from tests.integration.catalogkit import make


async def test_sources_report_measures_third_parties(server: FakeCatalogServer, tmp_path: Path) -> None:
    from proxy.catalog.report import evaluate

    catalog = await make(server, tmp_path, ["deepseek", "xai", "mistral"], sources=["native", "models_dev"])
    await catalog.refresh()
    report = evaluate(catalog.states())
    # 3 deepseek + 3 xai + 4 mistral rows, of which mistral-embed is not a chat model.
    assert report["native_chat_models"] == 9
    dev = report["sources"]["models_dev"]
    assert dev["coverage"] == round(4 / 9, 3)  # deepseek-chat, deepseek-v4-flash, grok-4.3, codestral-latest
    assert dev["with_context_window"] == 1.0
    assert dev["fills_gaps"] == 3  # the deepseek and xai lists have no window
    assert dev["disagreements"] == 1
    assert dev["disagreement_examples"] == [
        {
            "upstream": "mistral",
            "id": "codestral-latest",
            "field": "context_window",
            "native": 256000,
            "source": 128000,
        }
    ]
    assert dev["per_provider"]["deepseek"] == {
        "models": 3,
        "covered": 2,
        "with_context": 2,
        "coverage": 0.667,
    }
    bundled = report["sources"]["litellm_bundled"]
    assert bundled["coverage"] is not None and bundled["age_s"] is not None
    await catalog.close()
