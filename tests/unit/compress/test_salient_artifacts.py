"""``salient.artifacts`` looks at each distinct token once; its answer is the plain definition's.

The reference below is the definition written the obvious way (every token stripped and
classified in text order); the fast version must give the same list on any text."""

from __future__ import annotations

import random

import pytest

from proxy.compress import salient
from proxy.compress.salient import _ART_HEAD, _ART_TAIL, _LSTRIP, _RSTRIP, _artifact_kind, scan_window


def reference(text: str, limit: int = 12, *, numbers: bool = True, whole: bool = False) -> list[str]:
    if whole:
        window = scan_window(text)
    else:
        window = text if len(text) <= _ART_HEAD + _ART_TAIL else text[:_ART_HEAD] + "\n" + text[-_ART_TAIL:]
    strong: list[str] = []
    found: list[str] = []
    seen: set[str] = set()
    for raw in window.split():
        tok = raw.lstrip(_LSTRIP).rstrip(_RSTRIP)
        if len(tok) < 3 or tok in seen:
            continue
        kind = _artifact_kind(tok)
        if kind == 0:
            strong.append(tok)
        elif kind == 1 and len(found) < (limit // 2 if numbers else 0):
            found.append(tok)
        else:
            continue
        seen.add(tok)
        if len(strong) >= limit:
            break
    return strong + found[: max(0, limit - len(strong))]


ALPHABET = "aZ_/.-$+9 \t\n\u00a0\u2003é²Ö(),:;'\"`*x"
WRITTEN = [
    "Traceback: File /srv/app/models.py line 1234 in save_model; (models.py) [models.py] models.py.",
    "see https://example.com/a/b?c=1 and (https://example.com/a/b?c=1), id 3f2a9c1d, 3f2a9c1d again",
    "UserManager.create_user failed 404 404 $1,250 -120 +3.5% 2023-05-08 ((2023-05-08)) deadbeef",
    "the the the cache cache Alice Alice config_value config_value `config_value` *config_value*",
]


@pytest.mark.parametrize(
    "kw", [{}, {"limit": 8, "numbers": False}, {"limit": 3, "whole": True}, {"limit": 64, "whole": True}]
)
def test_same_answer_as_the_plain_definition(kw: dict[str, object]) -> None:
    rnd = random.Random(7)
    texts = WRITTEN + ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 300))) for _ in range(3000)]
    texts += [
        " ".join(rnd.choice(WRITTEN[i % 4].split()) for _ in range(900)) for i in range(40)
    ]  # long: head + tail
    for text in texts:
        assert salient.artifacts(text, **kw) == reference(text, **kw)  # type: ignore[arg-type]


def test_a_repeated_word_is_found_once_and_in_text_order() -> None:
    text = "open (src/a.py) then src/a.py, then `src/b.py` and src/a.py"
    assert salient.artifacts(text) == ["src/a.py", "src/b.py"]
