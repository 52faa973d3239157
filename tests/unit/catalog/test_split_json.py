"""Large documents decoded out of process give exactly what orjson.loads gives."""

from __future__ import annotations

import orjson
import pytest

from proxy.catalog.sources.litellm_map import bundled_path
from proxy.catalog.split_json import SplitError, loads_out_of_process


async def test_litellm_map_round_trips() -> None:
    path = bundled_path()
    assert path is not None
    raw = path.read_bytes()
    assert await loads_out_of_process(raw) == orjson.loads(raw)


@pytest.mark.parametrize("doc", [{"data": [{"id": "a"}, {"id": "b"}]}, [1, "two", {"3": None}], "scalar", {}])
async def test_shapes(doc: object) -> None:
    assert await loads_out_of_process(orjson.dumps(doc)) == doc


async def test_invalid_json_raises() -> None:
    with pytest.raises(SplitError):
        await loads_out_of_process(b'{"a": [1, 2')
