"""Encodings load from litellm's bundled files: no environment variable, no download."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tiktoken

from proxy.compress.encodings import (
    CL100K,
    O200K,
    EncodingFileMissing,
    Encodings,
    litellm_tokenizer_dir,
    load_encoding,
)

TEXT = "Hello wörld, 日本語 <|endoftext|> def f(x):\n    return x ** 2  # 12345678\n\n"


def bundled() -> Path:
    path = litellm_tokenizer_dir()
    assert path is not None
    return path


def file_of(name: str) -> str:
    """The file litellm ships for an encoding: named by the SHA-1 of tiktoken's URL for it."""
    return hashlib.sha1(
        f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken".encode()
    ).hexdigest()


@pytest.mark.parametrize("name", [O200K, CL100K])
def test_loads_without_the_env_var_and_leaves_the_environment_alone(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    before = dict(os.environ)
    enc = Encodings().get(name)
    assert enc.name == name
    assert dict(os.environ) == before
    assert len(enc.encode_ordinary("hello world")) == 2


@pytest.mark.parametrize("name", [O200K, CL100K])
def test_same_tokens_as_tiktokens_own_loader(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = load_encoding(name, bundled())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(bundled()))  # tiktoken's way, for comparison
    theirs = tiktoken.get_encoding(name)
    assert ours.n_vocab == theirs.n_vocab
    assert ours.special_tokens_set == theirs.special_tokens_set
    assert ours.encode_ordinary(TEXT) == theirs.encode_ordinary(TEXT)
    assert ours.encode(TEXT, allowed_special="all") == theirs.encode(TEXT, allowed_special="all")


def test_a_missing_file_is_an_error_not_a_download(tmp_path: Path) -> None:
    with pytest.raises(EncodingFileMissing, match="missing"):
        load_encoding(CL100K, tmp_path)
    with pytest.raises(EncodingFileMissing, match="not installed"):
        load_encoding(CL100K, None)
    assert list(tmp_path.iterdir()) == []  # nothing fetched or cached into the directory


def test_a_corrupt_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / file_of(CL100K)).write_bytes(b"aGVsbG8= 0\n")
    with pytest.raises(EncodingFileMissing, match="sha256"):
        load_encoding(CL100K, tmp_path)


def test_a_copied_directory_serves_as_well(tmp_path: Path) -> None:
    shutil.copy(bundled() / file_of(CL100K), tmp_path / file_of(CL100K))
    encodings = Encodings(tmp_path)
    assert not encodings.loaded(CL100K)
    assert encodings.get(CL100K) is encodings.get(CL100K)
    assert encodings.loaded(CL100K) and not encodings.loaded(O200K)


def test_only_the_two_encodings_the_proxy_uses() -> None:
    with pytest.raises(ValueError, match="unsupported encoding"):
        load_encoding("gpt2", bundled())  # its constructor would fetch files itself


def test_a_fresh_interpreter_without_the_env_var_loads_and_counts() -> None:
    """The whole start-up path in a clean process: no TIKTOKEN_CACHE_DIR before or after."""
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    code = (
        "import os\n"
        "from proxy.compress import TokenCounter\n"
        "c = TokenCounter()\n"
        "n = c.count_request('openai-chat', {'messages': [{'role': 'user', 'content': 'hi there'}]}, 'gpt-4o')\n"
        "print(n, 'TIKTOKEN_CACHE_DIR' in os.environ)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    count, env_set = out.stdout.split()
    assert int(count) > 0 and env_set == "False"
