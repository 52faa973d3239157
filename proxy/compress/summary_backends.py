"""Where LLM summaries come from: LiteLLM (``mode: llm``) or the request's own upstream (``mode: upstream``)."""

from __future__ import annotations

import asyncio
import importlib
import os
from typing import Any

import aiohttp
import orjson

from proxy.compress.llm_summarizer import Completion
from proxy.compress.summarizer import SummaryRequest, UpstreamCall
from proxy.config import SummarizerSettings
from proxy.wire.families import get_family

__all__ = ["LiteLLMBackend", "UpstreamBackend", "UpstreamCall"]


class LiteLLMBackend:
    """``litellm.acompletion`` with a configured model; litellm is imported once, off-loop."""

    mode = "llm"

    def __init__(self, settings: SummarizerSettings) -> None:
        assert settings.model, "compression.summarizer.model is required for mode llm"
        self.model = settings.model
        self.api_base = settings.api_base
        self.api_key_env = settings.api_key_env
        self._litellm: Any = None

    async def start(self) -> None:
        # LITELLM_LOCAL_MODEL_COST_MAP (no cost map fetched at import) is the entry point's job:
        # ``ctxproxy`` (proxy/cli.py main), the Makefile, the image and the test conftest set it.
        self._litellm = await asyncio.to_thread(importlib.import_module, "litellm")

    async def complete(
        self, system: str, prompt: str, max_tokens: int, request: SummaryRequest
    ) -> Completion:
        if self._litellm is None:
            await self.start()
        kwargs: dict[str, Any] = {}
        if self.api_base:
            kwargs["api_base"] = self.api_base
        if self.api_key_env and os.environ.get(self.api_key_env):
            kwargs["api_key"] = os.environ[self.api_key_env]
        resp = await self._litellm.acompletion(
            model=self.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            max_tokens=max_tokens,
            temperature=0,
            num_retries=0,
            **kwargs,
        )
        text = resp.choices[0].message.content or ""
        usage = getattr(resp, "usage", None)
        try:
            cost = float(self._litellm.completion_cost(completion_response=resp) or 0.0)
        except Exception:
            cost = 0.0
        return Completion(
            text,
            int(getattr(usage, "prompt_tokens", 0) or 0),
            int(getattr(usage, "completion_tokens", 0) or 0),
            cost,
        )


class UpstreamBackend:
    """The request's own upstream and credentials, spoken in that upstream's API."""

    mode = "upstream"

    def __init__(self, session: aiohttp.ClientSession, pricing: Any = None) -> None:
        self.session = session
        self.pricing = pricing  # callable (model) -> (usd per input token, usd per output token) | None

    async def complete(
        self, system: str, prompt: str, max_tokens: int, request: SummaryRequest
    ) -> Completion:
        call = request.upstream
        if call is None:
            raise RuntimeError("summary request carries no upstream destination")
        model = call.model or request.model
        family = get_family(call.api)
        url, body, extra = family.summary_request(call.base_url, model, system, prompt, max_tokens)
        headers = {**extra, **call.headers, "Content-Type": "application/json", "Accept-Encoding": "identity"}
        async with self.session.post(url, data=orjson.dumps(body), headers=headers) as resp:
            raw = await resp.read()
            if resp.status >= 400:
                raise RuntimeError(f"summary upstream answered {resp.status}")
        data = orjson.loads(raw)
        text, tokens_in, tokens_out = family.read_completion(data)
        cost = 0.0
        if self.pricing is not None:
            prices = self.pricing(model)
            if prices:
                cost = tokens_in * prices[0] + tokens_out * prices[1]
        return Completion(text, tokens_in, tokens_out, cost)
