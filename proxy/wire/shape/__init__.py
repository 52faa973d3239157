"""Structural checks an adapter runs before anything parses, counts or compacts a body.

Each adapter reads certain fields as strings, lists or objects (roles and part types are
looked up in tables, item lists are iterated, ids become dictionary keys). A body whose
fields have other JSON types there — ``"role": ["user"]``, ``"tool_calls": 5``, a content
part whose ``type`` is an object — is one the provider rejects too; the proxy answers it
with a 400 in the caller's API shape instead of crashing or silently falling back.

Only types are checked, and only where the adapter looks: unknown fields, unknown part
types and missing fields pass (they are the provider's business). Each check returns the
first problem as a short message naming the field (``messages[3].tool_calls must be a
list``), or None.

Every chat request passes here, so each API has two passes: a tight one that only answers
"no problem" (exact ``type(...) is`` tests, no call per field: about half the instructions
on a long history)
and, only when it finds something, the full pass below it that names the field. The tight
pass may refuse what the full pass accepts (a ``str`` subclass, say), never the reverse.
"""

from proxy.wire.shape.anthropic import check_anthropic
from proxy.wire.shape.gemini import check_gemini
from proxy.wire.shape.openai import check_openai_chat, check_openai_responses

__all__ = ["check_anthropic", "check_gemini", "check_openai_chat", "check_openai_responses"]
