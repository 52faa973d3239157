"""The chat-API registry and the provider families: each fact declared once, looked up everywhere."""

from __future__ import annotations

import pytest

from proxy.server.identity import prompt_anchor
from proxy.server.routing import chat_api_for, error_shape_for, guess_shape
from proxy.server.usage import Usage, read_usage
from proxy.wire import API_NAMES, CHAT_APIS, api_for_path, get_adapter
from proxy.wire.families import FAMILIES, FAMILY_NAMES, ModelRow, family_of_client, get_family


def test_registry_names_every_api_once() -> None:
    assert API_NAMES == ("openai-chat", "openai-responses", "anthropic", "gemini")
    for name, chat_api in CHAT_APIS.items():
        assert chat_api.api == name
        assert chat_api.family in FAMILY_NAMES
        assert get_adapter(name) is chat_api
    with pytest.raises(ValueError, match="unknown API"):
        get_adapter("cohere")


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("v1/chat/completions", "openai-chat"),
        ("chat/completions/", "openai-chat"),
        ("v1/responses?stream=true", "openai-responses"),
        ("v1/messages", "anthropic"),
        ("v1beta/models/gemini-2.5-pro:streamGenerateContent", "gemini"),
        ("v1/models", None),
        ("v1/embeddings", None),
    ],
)
def test_path_detection_is_the_router_s(path: str, api: str | None) -> None:
    assert api_for_path(path) == api
    assert chat_api_for("POST", path.split("?")[0]) == api
    assert chat_api_for("GET", path) is None


def test_model_id_in_body_or_path() -> None:
    assert get_adapter("openai-chat").model_id({"model": "gpt-4.1"}, "v1/chat/completions") == "gpt-4.1"
    gemini = get_adapter("gemini")
    assert gemini.model_id({}, "v1beta/models/gemini-2.5-pro:generateContent") == "gemini-2.5-pro"
    assert get_adapter("anthropic").model_id({"model": 3}, "v1/messages") == ""


def test_max_tokens_key_and_chain() -> None:
    assert get_adapter("openai-chat").max_tokens_key({"max_completion_tokens": 5}) == "max_completion_tokens"
    assert get_adapter("anthropic").max_tokens_key({"max_tokens": 5}) == "max_tokens"
    assert get_adapter("openai-responses").max_tokens_key({"max_output_tokens": 5}) == "max_output_tokens"
    assert get_adapter("gemini").max_tokens_key({"generationConfig": {"maxOutputTokens": 5}}) is None
    assert get_adapter("openai-responses").history_held_upstream({"previous_response_id": "resp_1"})
    assert not get_adapter("openai-chat").history_held_upstream({"previous_response_id": "resp_1"})


def test_usage_read_by_each_api() -> None:
    u = Usage()
    read_usage("anthropic", {"usage": {"input_tokens": 10, "cache_read_input_tokens": 90}}, u)
    assert (u.input_tokens, u.cached_tokens) == (100, 90)
    u = Usage()
    read_usage("gemini", {"usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 2}}, u)
    assert (u.input_tokens, u.output_tokens) == (7, 2)
    u = Usage()
    read_usage("openai-responses", {"response": {"id": "resp_9", "usage": {"input_tokens": 4}}}, u)
    assert (u.input_tokens, u.response_id) == (4, "resp_9")


def test_prompt_anchor_per_api() -> None:
    body = {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]}
    assert prompt_anchor("openai-chat", body) == ("S", "U")
    assert prompt_anchor("openai-responses", {"instructions": "S", "input": "U"}) == ("S", "U")
    assert prompt_anchor(None, body) == (None, None)


def test_families_own_auth_and_error_dialect() -> None:
    assert get_family("openai").auth_headers("k") == {"Authorization": "Bearer k"}
    assert get_family("anthropic").auth_headers("k") == {"x-api-key": "k"}
    assert get_family("gemini").auth_headers("k") == {"x-goog-api-key": "k"}
    assert get_family("something-else") is FAMILIES["openai"]
    assert get_family("anthropic").error_payload(503, "m", "c", "r1") == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "m"},
        "request_id": "r1",
    }
    assert get_family("gemini").error_payload(404, "m", "c", None)["error"]["status"] == "NOT_FOUND"
    assert error_shape_for("openai-responses", "anthropic") == "openai"
    assert error_shape_for(None, "gemini") == "gemini"
    assert guess_shape("/x/v1/messages", {}) == "anthropic"
    assert guess_shape("/x/v1beta/models/m:generateContent?alt=sse", {}) == "gemini"
    assert guess_shape("/x/v1/whatever", {"anthropic-version": "2023-06-01"}) == "anthropic"


def test_families_say_which_speak_openai_format() -> None:
    openai, anthropic, gemini = (get_family(n) for n in ("openai", "anthropic", "gemini"))
    assert openai.speaks_openai_format
    assert not anthropic.speaks_openai_format and not gemini.speaks_openai_format


def test_families_shape_model_lists_for_their_own_sdks() -> None:
    row = ModelRow("m1", "2025-01-02", "up", 8192, 1024, None)
    assert family_of_client({"anthropic-version": "2023-06-01"}) is FAMILIES["anthropic"]
    assert family_of_client({"authorization": "Bearer k"}) is FAMILIES["openai"]
    assert FAMILIES["anthropic"].model_list([row]) == {
        "data": [{"type": "model", "id": "m1", "display_name": "m1", "created_at": "2025-01-02T00:00:00Z"}],
        "has_more": False,
        "first_id": "m1",
        "last_id": "m1",
    }
    listed = FAMILIES["openai"].model_list([row, ModelRow("m2", "not a date", "x", None, None, "or")])
    assert listed["object"] == "list"
    assert [(m["id"], m["created"], m["owned_by"]) for m in listed["data"]] == [
        ("m1", 1735776000, "up"),
        ("m2", 0, "x"),
    ]


def test_summary_request_shapes() -> None:
    url, body, extra = get_family("anthropic").summary_request("http://u/", "claude", "S", "P", 10)
    assert (
        url == "http://u/v1/messages"
        and body["system"] == "S"
        and extra == {"anthropic-version": "2023-06-01"}
    )
    url, body, _ = get_family("gemini").summary_request("http://u", "g", "S", "P", 10)
    assert url == "http://u/v1beta/models/g:generateContent"
    assert body["generationConfig"]["maxOutputTokens"] == 10
    text, tin, tout = get_family("openai").read_completion(
        {"choices": [{"message": {"content": "sum"}}], "usage": {"prompt_tokens": 3, "completion_tokens": 1}}
    )
    assert (text, tin, tout) == ("sum", 3, 1)


def test_a_body_alone_is_guessed_by_asking_each_api(monkeypatch: pytest.MonkeyPatch) -> None:
    from typing import Any

    from proxy.wire import api_for_body
    from proxy.wire.openai_chat import OpenAIChatAdapter

    assert api_for_body({"contents": [], "messages": []}) == "gemini"  # the surest claim wins
    assert api_for_body({"messages": [{"role": "user", "content": "x"}]}) == "openai-chat"
    assert api_for_body({"messages": [], "system": "s"}) == "anthropic"
    assert api_for_body({"prompt": "x"}) is None

    class CohereChat(OpenAIChatAdapter):
        api = "cohere-chat"

        def body_likeness(self, body: Any) -> int:
            return 5 if "chat_history" in body else 0

    monkeypatch.setitem(CHAT_APIS, "cohere-chat", CohereChat())
    assert api_for_body({"chat_history": [], "message": "hi"}) == "cohere-chat"
    assert api_for_body({"messages": []}) == "openai-chat"  # no claim of its own: the old guess stands
