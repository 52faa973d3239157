"""Where a ``mode: upstream`` summary goes, and with which credentials.

Built per request by the chat hooks and handed to :meth:`Compactor.decide` as data; it reaches
the backend inside the :class:`~proxy.compress.summarizer.SummaryRequest` (no ambient state).
"""

from __future__ import annotations

from collections.abc import Mapping

from proxy.compress.summarizer import UpstreamCall
from proxy.config import Settings
from proxy.server.hooks import ChatRequest
from proxy.wire.families import AUTH_HEADERS, FAMILIES, get_family

# The client's headers a summary call may reuse (its key and API version), nothing else.
SUMMARY_HEADERS = frozenset(
    {*AUTH_HEADERS, *(name for family in FAMILIES.values() for name, _ in family.fixed_headers)}
)


def summary_call(
    settings: Settings, req: ChatRequest, model: str, environ: Mapping[str, str]
) -> UpstreamCall:
    """This request's upstream with the client's own credentials, or the configured
    ``summarizer.upstream`` with its own key (from ``api_key_env``)."""
    named = settings.compression.summarizer.upstream
    up = settings.upstreams[named] if named else req.route.upstream.settings
    headers = {k: v for k, v in req.headers.items() if k.lower() in SUMMARY_HEADERS}
    key = environ.get(up.api_key_env) if named and up.api_key_env else None
    if key:
        headers = get_family(up.api).auth_headers(key)
    return UpstreamCall(up.base_url, up.api, headers, up.summary_model or model)
