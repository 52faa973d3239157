"""The source interface: fetch a list of :class:`SourceModel` or raise :class:`FetchError`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from proxy.catalog.bulk import drop, off_loop
from proxy.catalog.fetch import Fetcher, FetchError
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import openai_list
from proxy.wire.families import get_family

# Precedence tiers (lower wins) for limits; see merge.py.
TIER_SERVED = 1
TIER_NATIVE = 2
TIER_MODELS_DEV = 3
TIER_LITELLM_REMOTE = 4
TIER_LITELLM_BUNDLED = 5
TIER_OPENROUTER = 6


class Source(ABC):
    """A refreshable list of models. ``name`` is stable: snapshot, metrics, changelog use it."""

    name: str
    tier: int
    # Third-party sources say which provider each entry belongs to; native ones are the
    # upstream's own list (``upstream``/``provider`` set).
    upstream: str | None = None
    provider: str | None = None
    url: str | None = None  # third-party sources: the one URL they fetch (conditional GETs)
    validators: dict[str, str] | None = None  # the last good fetch's ETag/Last-Modified

    @abstractmethod
    async def fetch(self, http: Fetcher) -> list[SourceModel]: ...

    @property
    def expected(self) -> bool:
        """A failure of this source is a real failure (third-party catalogs, keyed providers,
        public lists); a local server that is not running is not (see :attr:`local`)."""
        return True

    @property
    def local(self) -> bool:
        """A keyless local server (vLLM, Ollama, LM Studio): unreachable = not running."""
        return False

    def validate(self, models: list[SourceModel], previous: int) -> None:
        """Reject a suspicious result (raise FetchError) before it replaces the last good one."""
        if not models:
            raise FetchError("empty", f"{self.name} returned no models")


class DocumentSource(Source):
    """A third-party catalog: one JSON document at ``url``, parsed off the event loop."""

    url: str

    def __init__(self, url: str) -> None:
        self.url = url
        self.validators = None
        # Providers whose entries are kept (None: all); the others are skipped while parsing
        # (models.dev has 147 providers, ~15 matter): less work on every changed document.
        self.keep: frozenset[str] | None = None
        self.raw_count = 0  # entries in the last parsed document, before ``keep`` (shrink checks)

    @abstractmethod
    def parse(self, data: Any) -> list[SourceModel]: ...

    def kept(self, provider: str | None) -> bool:
        return self.keep is None or provider in self.keep

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        box = [await http.json(self.url, validators=self.validators)]
        # The document's only reference goes to the worker, which also frees it (piecewise):
        # a 2–3 MB document dying on the event loop stalls it for tens of ms.
        return await off_loop(self._parse_owned, box)

    def _parse_owned(self, box: list[Any]) -> list[SourceModel]:
        data = box.pop()
        try:
            return self.parse(data)
        finally:
            drop(data)


@dataclass(frozen=True)
class NativeConfig:
    upstream: str
    provider: str
    base_url: str
    models_url: str
    api_key: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class NativeSource(Source):
    """A provider's own list endpoint. Subclasses set ``provider`` and implement ``parse``."""

    provider_name: ClassVar[str] = "openai"
    family: ClassVar[str] = "openai"  # whose auth header the key travels in
    needs_key: ClassVar[bool] = True
    served: ClassVar[bool] = False  # the list gives the live served limit (vLLM, Ollama, LM Studio)

    def __init__(self, cfg: NativeConfig) -> None:
        self.cfg = cfg
        self.upstream = cfg.upstream
        self.provider = cfg.provider
        self.name = f"native:{cfg.upstream}"
        self.tier = TIER_SERVED if self.served else TIER_NATIVE

    @property
    def local(self) -> bool:
        return self.served and not self.cfg.api_key

    @property
    def expected(self) -> bool:
        return not self.local

    @classmethod
    def list_url(cls, base_url: str, models_url: str | None) -> str:
        return models_url or f"{base_url.rstrip('/')}/models"

    def auth_headers(self) -> dict[str, str]:
        family = get_family(self.family)
        headers = {**dict(family.fixed_headers), **self.cfg.headers}
        if self.cfg.api_key:
            headers.update(family.auth_headers(self.cfg.api_key))
        return headers

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        body = await http.json(self.cfg.models_url, headers=self.auth_headers())
        # Lists of hundreds of rows (OpenRouter: 364) take ms to parse: off the event loop.
        return await off_loop(self.parse, body)

    def parse(self, body: Any) -> list[SourceModel]:
        """The OpenAI-compatible list shape most providers speak; others override this."""
        return openai_list(body)
