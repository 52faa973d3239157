"""A cut output's marker keeps the ``path:line`` places the output named (``grep -n``)."""

from __future__ import annotations

import re

from proxy.compress.stages.text_ops import cut_middle, locations


def grep_output() -> str:
    """A ``grep -n`` over two files, as an agent runs it, with its hits' line numbers."""
    hits = [
        ("astropy/io/fits/header.py", 330, "    def fromstring(cls, data, sep=''):"),
        ("astropy/io/fits/header.py", 380, "                cards.append(Card.fromstring(''.join(image)))"),
        ("astropy/io/fits/header.py", 395, "            cards.append(Card.fromstring(''.join(image)))"),
        ("astropy/io/fits/header.py", 1917, "                hdr = Header.fromstring(obj._header_str)"),
        ("astropy/io/fits/card.py", 548, "    def fromstring(cls, image):"),
    ]
    lines = ['cd /workspace/astro && grep -n "fromstring" astropy/io/fits/header.py astropy/io/fits/card.py']
    lines += [f"{path}:{n}:{code}" for path, n, code in hits]
    lines += ["root@workspace:/workspace/astro # ", "[Command finished with exit code 0]"]
    return "\r\n".join(lines)


def mentioned(cut: str) -> list[str]:
    marker = cut[cut.index("[… ctxproxy cut") :]
    return marker.split("; mentions: ")[1].rstrip("\n").removesuffix(" …]").split(", ")


def test_a_grep_cut_to_its_floor_keeps_the_lines_it_found() -> None:
    text = grep_output()
    cut = cut_middle(text, 32, len(text) // 4, "execute_bash output")
    assert "cards.append(Card.fromstring" not in cut  # the hits' text went …
    names = mentioned(cut)
    # … their places stay, one entry per file, its lines in the output's order
    assert "astropy/io/fits/header.py:330,380,395,1917" in names
    assert "astropy/io/fits/card.py:548" in names
    assert re.search(r"(?<![\w])380(?![\w])", cut.split("; mentions: ")[1])


def test_the_places_come_after_the_names_the_marker_listed_before() -> None:
    names = mentioned(cut_middle(grep_output(), 32, 200, "execute_bash output"))
    at = names.index("astropy/io/fits/header.py:330,380,395,1917")
    assert "cards.append" in names[:at] and "Card.fromstring" in names[:at]


def test_places_are_paths_with_a_line_not_urls_times_or_versions() -> None:
    text = (
        "see http://example.com:8080/x and 12:30 and v1.2:3\n"
        "/abs/src/main.c:12:5: error: expected ';'\n"
        "./pkg/mod.py:7: AssertionError\n"
        "pkg/mod.py:7:1: E302 again, then pkg/mod.py:9\n"
    )
    assert locations(text) == ["/abs/src/main.c:12", "./pkg/mod.py:7", "pkg/mod.py:7,9"]


def test_a_file_view_cut_is_not_given_places() -> None:
    view = "Here's the result of running `cat -n` on /w/a.py:\n" + "\n".join(
        f"{i:6}\tvalue_{i} = compute(a.py:{i})" for i in range(1, 200)
    )
    cut = cut_middle(view, 200, len(view) // 4)
    assert not any(n.startswith("a.py:") for n in mentioned(cut))


def test_a_stretch_of_consecutive_lines_is_one_range() -> None:
    log = "\n".join(f"src/svc/mod.py:{i}: result id={i * 977} status=ok" for i in range(10, 60))
    assert locations(log) == ["src/svc/mod.py:10-59"]
    assert locations("a.py:1: x\na.py:2: y\na.py:7: z\na.py:8: w\na.py:9: v") == ["a.py:1,2,7-9"]
