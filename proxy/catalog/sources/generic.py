"""Any OpenAI-compatible ``GET {base_url}/models``: ids, plus a context field when present
(the default parsing of :class:`~proxy.catalog.sources.base.NativeSource`)."""

from __future__ import annotations

from proxy.catalog.sources.base import NativeSource


class GenericSource(NativeSource):
    provider_name = "generic"
    needs_key = False  # send the key when there is one; many local servers need none
