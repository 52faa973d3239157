"""Offline tiktoken encodings, loaded from the files litellm ships (never downloaded)."""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import threading
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tiktoken

from proxy.config import Settings

O200K = "o200k_base"
CL100K = "cl100k_base"
# OpenAI's models from before gpt-4o were tokenized with cl100k: gpt-4 (and its dated, -turbo,
# -32k, -vision variants), gpt-3.5-turbo (Azure: gpt-35-turbo), the ada-002 / 3 embeddings,
# davinci-002 and babbage-002. Every other model is counted with o200k: OpenAI's own exactly,
# every other family approximately (times its factor, see ``tokens/calibration.py``).
_CL100K_PREFIXES = (
    "gpt-4-",
    "gpt-3.5",
    "gpt-35",
    "text-embedding-ada",
    "text-embedding-3",
    "davinci",
    "babbage",
    "text-davinci",
)


def litellm_tokenizer_dir() -> Path | None:
    """``<site-packages>/litellm/litellm_core_utils/tokenizers`` located without importing litellm."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return path if path.is_dir() else None


def encoding_name_for(model: str) -> str:
    """cl100k for OpenAI's pre-gpt-4o models (also behind a ``provider/`` prefix), else o200k."""
    name = model.lower().rsplit("/", 1)[-1]
    return CL100K if name == "gpt-4" or name.startswith(_CL100K_PREFIXES) else O200K


def needed_encodings(settings: Settings) -> list[str]:
    """The encodings the configured upstreams need, loaded before the proxy reports ready.

    o200k whenever an upstream is configured (it counts OpenAI's current models and
    approximates every other family); cl100k as well only when a model named in the config
    (catalog overrides, compression.models, summary models) is one of OpenAI's cl100k models.
    A request for such a model loads cl100k on that first request (off the event loop, once).
    """
    if not settings.upstreams:
        return []
    names = {O200K}
    models: Iterable[str] = [
        *settings.catalog.overrides,
        *settings.compression.models,
        *(u.summary_model for u in settings.upstreams.values() if u.summary_model),
        *([settings.compression.summarizer.model] if settings.compression.summarizer.model else []),
    ]
    if any(encoding_name_for(m) == CL100K for m in models):
        names.add(CL100K)
    return sorted(names)


def counts_tokens(settings: Settings) -> bool:
    """False when compression is off everywhere: chat requests pass through, nothing is counted."""
    c = settings.compression
    return bool(c.enabled or c.agents or c.models)


def preload_encodings(settings: Settings) -> None:
    """Build the encodings the configured upstreams need in this process, before its event loop
    starts and before it forks its workers: they inherit them (copy-on-write pages nobody writes)
    instead of loading their own. A failure is not raised: the app's warm-up meets it again and
    reports it (``startup.encodings_failed``), then counting loads lazily per request."""
    if not counts_tokens(settings):
        return
    tokenizer_dir = litellm_tokenizer_dir()
    for name in needed_encodings(settings):
        try:
            load_encoding(name, tokenizer_dir)
        except Exception:  # reported by each worker's (or the app's) warm-up
            return


class EncodingFileMissing(RuntimeError):
    """An encoding's BPE file is not in litellm's tokenizer directory (nothing is downloaded)."""


def read_bpe(path: Path, expected_sha256: str | None) -> dict[bytes, int]:
    """The mergeable ranks of a ``.tiktoken`` file (``base64-token rank`` per line), checked
    against tiktoken's own hash of it."""
    data = path.read_bytes()
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise EncodingFileMissing(f"{path} does not hold the expected encoding (sha256 mismatch)")
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def load_encoding(name: str, tokenizer_dir: Path | None) -> tiktoken.Encoding:
    """Encoding ``name`` from the file litellm ships, built once per process.

    An ``Encoding`` is immutable and ≈24 MB (cl100k) or ≈44 MB (o200k) resident: every app
    (and test) in a process shares one, as it did when tiktoken's own registry held them.
    """
    return _build_encoding(name, tokenizer_dir)


@functools.cache
def _build_encoding(name: str, tokenizer_dir: Path | None) -> tiktoken.Encoding:
    """Build encoding ``name`` from the file litellm ships, never downloading it.

    tiktoken's own constructor for ``name`` (``tiktoken_ext.openai_public``) declares the
    pattern, the special tokens and the file's URL and hash; it is run with its file loader
    swapped for one that reads litellm's copy (named, as in tiktoken's cache, by the SHA-1 of
    the URL). Nothing global changes: no environment variable, no cache directory written.
    """
    from tiktoken_ext import openai_public

    if name not in (O200K, CL100K):  # the others' constructors may fetch files themselves
        raise ValueError(f"unsupported encoding {name!r} (expected {O200K} or {CL100K})")
    constructor = openai_public.ENCODING_CONSTRUCTORS[name]

    def from_litellm(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if tokenizer_dir is None:
            raise EncodingFileMissing(f"{name}: litellm's tokenizer files are not installed")
        path = tokenizer_dir / hashlib.sha1(url.encode()).hexdigest()
        if not path.is_file():
            raise EncodingFileMissing(f"{name}: {path} is missing (litellm ships no copy of {url})")
        return read_bpe(path, expected_hash)

    local: Callable[[], dict[str, Any]] = types.FunctionType(
        constructor.__code__,
        {**constructor.__globals__, "load_tiktoken_bpe": from_litellm},
        constructor.__name__,
        constructor.__defaults__,
        constructor.__closure__,
    )
    spec = local()
    enc = tiktoken.Encoding(
        spec["name"],
        pat_str=spec["pat_str"],
        mergeable_ranks=spec["mergeable_ranks"],
        special_tokens=spec["special_tokens"],
        explicit_n_vocab=spec.get("explicit_n_vocab"),
    )
    # The Rust core holds its own copy of the ranks; tiktoken keeps the Python dict only to
    # pickle the encoding, which the proxy never does. Dropping it frees 12 MB (cl100k) and
    # 25 MB (o200k) per process.
    enc._mergeable_ranks = {}
    del spec
    return enc


class Encodings:
    """Loads each encoding once, on first use, from litellm's files; thread-safe."""

    def __init__(self, tokenizer_dir: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, tiktoken.Encoding] = {}
        self._dir = tokenizer_dir or litellm_tokenizer_dir()

    def loaded(self, name: str) -> bool:
        return name in self._loaded

    def get(self, name: str) -> tiktoken.Encoding:
        enc = self._loaded.get(name)
        if enc is None:
            with self._lock:
                enc = self._loaded.get(name)
                if enc is None:
                    enc = load_encoding(name, self._dir)
                    self._loaded[name] = enc
        return enc
