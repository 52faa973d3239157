"""Any body the strategies here build, in any API: the fast path's skim reads what the parse
reads, or declines and sends the body down the parsing path.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.server.skim import skim
from proxy.wire import get_adapter
from tests.unit.server.skimkit import GEMINI_TAIL, TOOLS, parsed

_TYPES = [
    "text",
    "image_url",
    "input_image",
    "image",
    "document",
    "input_file",
    "file",
    "tool_result",
    "input_text",
    "Image",
    7,
    None,
]
_KEYS = ["inlineData", "inline_data", "fileData", "file_data", "text", "model", "content", "parts"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.text(max_size=8))


def _parts(depth: int) -> st.SearchStrategy[Any]:
    part = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(_TYPES),
            "text": st.text(max_size=20),
            **{k: _scalars for k in _KEYS[:4]},
            **({"content": st.one_of(st.text(max_size=5), st.none(), _parts(depth - 1))} if depth else {}),
        },
    )
    return st.lists(part, max_size=4)


_content = st.one_of(st.text(max_size=30), st.none(), _parts(2))
_item = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "tool", "model"])},
    optional={"content": _content, "parts": st.one_of(st.none(), _parts(1)), "output": _content},
)
_top = st.fixed_dictionaries(
    {},
    optional={
        "model": st.one_of(st.sampled_from(["gpt-4.1", "claude-x", 'a"b']), _scalars),
        "max_tokens": _scalars,
        "max_completion_tokens": _scalars,
        "max_output_tokens": _scalars,
        "previous_response_id": _scalars,
        "generationConfig": st.one_of(
            st.none(), st.fixed_dictionaries({}, optional={"maxOutputTokens": _scalars})
        ),
        "tools": st.just(TOOLS),
    },
)


@settings(max_examples=300, deadline=None)
@given(
    top=_top,
    items=st.lists(_item, max_size=6),
    api=st.sampled_from(["openai-chat", "openai-responses", "anthropic", "gemini"]),
)
def test_any_body_reads_the_same_or_goes_to_the_parsing_path(
    top: dict[str, Any], items: list[Any], api: str
) -> None:
    body = {**top, get_adapter(api).container: items}
    raw = orjson.dumps(body)
    tail = GEMINI_TAIL if api == "gemini" else "chat"
    read = skim(api, raw, tail)
    if read is not None:
        assert read == parsed(api, raw, tail)
