"""A cut keeps whole lines, or else whole words, at both its edges: a name cut in two reads as
another name (``django/contrib/adm`` is a path too)."""

from __future__ import annotations

from proxy.compress.stages.text_ops import cut_middle

MARK = "[… ctxproxy cut"


def _edges(cut: str) -> tuple[str, str]:
    head, rest = cut.split("\n" + MARK, 1)
    tail = rest.split(" …]\n", 1)[1]
    return head, tail


def test_a_log_cut_in_its_middle_keeps_whole_lines() -> None:
    lines = [
        f"tests/test_module_{i:03}.py::TestRegistry::test_lookup_{i} PASSED [{i % 100:3}%] in {i * 7} ms"
        for i in range(400)
    ]
    text = "\n".join(lines) + "\n"
    cut = cut_middle(text, 900, len(text) // 4, "execute_bash output")
    head, tail = _edges(cut)
    assert head and tail
    assert all(line in lines for line in head.split("\n")), head[-200:]
    assert all(line in lines for line in tail.rstrip("\n").split("\n")), tail[:200]


def test_text_with_no_line_breaks_is_cut_between_words() -> None:
    words = [f"configuration_loader_{i}.py" if i % 3 == 0 else f"word{i}" for i in range(3000)]
    text = " ".join(words)
    for keep in range(400, 1400, 97):  # wherever the cut falls
        head, tail = _edges(cut_middle(text, keep, len(text) // 4, "message"))
        assert set(head.split(" ")) <= set(words), (keep, head[-60:])
        assert set(tail.split(" ")) <= set(words), (keep, tail[:60])
