"""File views (``cat -n`` output): cut by lines, defining lines kept, recent views cut last."""

from __future__ import annotations

from typing import Any

from proxy.compress import code_view
from proxy.compress.stages import CutStage, MaskStage
from proxy.compress.stages.mask import placeholder
from proxy.compress.stages.text_ops import MENTION_FLOOR, cut_middle, shrink_to
from tests.unit.compress.convgen import filler
from tests.unit.compress.stagekit import COUNTER, stage_kit

HEADER = "Here's the result of running `cat -n` on /srv/app/client.py:"


def numbered(lines: list[str]) -> str:
    return "\n".join([HEADER] + [f"{i + 1:6}\t{s}" for i, s in enumerate(lines)])


def client_view(padding: int = 40) -> str:
    body = ["import os", "import signal", ""]
    body += [f"# note {filler(i, 12)}" for i in range(padding)]
    body += [
        "class DatabaseClient(BaseDatabaseClient):",
        "    executable_name = 'psql'",
        "",
        "    def runshell_db(cls, conn_params):",
        "        sigint_handler = signal.getsignal(signal.SIGINT)",
    ]
    body += [f"        # {filler(i + 99, 12)}" for i in range(padding)]
    body += ["        temp_pgpass = None", "        return subprocess.check_call(args)"]
    return numbered(body)


def count(text: str) -> int:
    return COUNTER.count_text(text, COUNTER.encoding("gpt-4o"))


def test_a_numbered_listing_is_a_code_view_and_prose_is_not() -> None:
    assert code_view.is_code_view(client_view())
    assert not code_view.is_code_view(filler(3, 400))
    assert not code_view.is_code_view("1\tone")  # too short to tell


def test_a_cut_view_keeps_its_defining_lines_with_their_numbers() -> None:
    text = client_view()
    out = shrink_to(text, count(text) // 4, count)
    assert count(out) <= count(text) // 4
    assert out.startswith(HEADER)  # the header stays
    for line in (
        "class DatabaseClient(",
        "def runshell_db(cls, conn_params):",
        "sigint_handler = signal.getsignal",
    ):
        kept = next(s for s in text.split("\n") if line in s)
        assert kept in out.split("\n")  # verbatim, with its line number
    assert "\n" + code_view.GAP + "\n" in out and "⋮ marks lines left out" in out
    kept = out.split("[… ctxproxy cut")[0]
    assert kept.count("# note") < text.count("# note") // 2  # comments go first


def test_lines_come_back_in_file_order() -> None:
    out = cut_middle(client_view(), 120, count(client_view()))
    numbers = [int(s.split("\t")[0]) for s in out.split("\n") if code_view.NUMBERED.match(s)]
    assert numbers == sorted(numbers) and numbers


def test_mentions_rank_defined_names_first_and_skip_kept_ones() -> None:
    dropped = "  10\tpk_qs = model_admin.get_queryset(request)\n  11\tother.call_thing(x)"
    names = code_view.mentions(dropped, "  9\tmodel_admin.get_queryset", 8)
    assert names[0] == "pk_qs"
    assert "model_admin.get_queryset" not in names  # already in the kept lines


def test_mentions_skip_licence_and_copyright_comments() -> None:
    dropped = (
        "   1\t# Licensed under a 3-clause BSD style license - see LICENSE.rst\n"
        "   2\t# Copyright (c) 2011-2024, Astropy Developers\n"
        "   3\tdef fix_header_rows(header_rows):\n"
        "   4\t    # the license_key column stays\n"
        "   5\t    return header_rows or default_header_rows"
    )
    names = code_view.mentions(dropped, "", 8)
    assert "LICENSE.rst" not in names and "Astropy_Developers" not in names
    assert names[:2] == ["header_rows", "default_header_rows"] or "fix_header_rows" in names
    assert "license_key" in names  # a comment about a licence is code, not boilerplate


def test_a_cut_marker_name_list_is_bounded() -> None:
    listing = "\n".join(f"./pkg/mod{i}/file_{i}.py" for i in range(600))
    out = shrink_to(listing, 2000, count)
    marker = out[out.index("[… ctxproxy cut") : out.index(" …]")]
    assert "mentions:" in marker and count(out) <= 2000
    assert marker.count(", ") < 64  # at most MENTIONS names, never every one
    tight = shrink_to(listing, 120, count)  # little room: the list keeps its floor, head and tail go
    assert len(tight[tight.index("[… ctxproxy cut") : tight.index(" …]")]) <= MENTION_FLOOR + 120


def test_a_masked_view_names_the_file_and_what_it_defines() -> None:
    text = client_view()
    short = placeholder("str_replace_editor", count(text), text)
    assert short.startswith("[ctxproxy: output of str_replace_editor omitted")
    assert "/srv/app/client.py" in short
    for name in ("executable_name", "runshell_db", "sigint_handler", "temp_pgpass"):
        assert name in short


def call(i: int, output: str) -> list[dict[str, Any]]:
    cid = f"call_{i}"
    fn = {"name": "str_replace_editor", "arguments": "{}"}
    return [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": cid, "type": "function", "function": fn}],
        },
        {"role": "tool", "tool_call_id": cid, "content": output},
    ]


async def test_the_cut_stage_cuts_other_outputs_before_a_recent_view() -> None:
    view = client_view(20)
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": "Use PGPASSWORD in /srv/app/client.py."},
    ]
    msgs += call(0, filler(1, 900)) + call(1, view) + call(2, filler(2, 900)) + call(3, "File created.")
    msgs.append({"role": "user", "content": "Go on."})
    kit = stage_kit(msgs, target=0.45, keep_recent_groups=1)
    await kit.run(MaskStage())  # nothing old enough to mask: every output is recent
    await kit.run(CutStage())
    got = [m["content"] for m in kit.items() if m.get("role") == "tool"]
    assert got[1] == view  # the view is whole: the listings went first
    assert "ctxproxy cut" in got[0] and "ctxproxy cut" in got[2]
    assert not kit.new_violations()


async def test_a_recent_view_is_cut_no_lower_than_its_floor_unless_the_budget_needs_it() -> None:
    view = client_view(200)
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": "Use PGPASSWORD in /srv/app/client.py."},
    ]
    msgs += call(0, view) + call(1, "File created.")
    msgs.append({"role": "user", "content": "Go on."})
    kit = stage_kit(msgs, target=0.1, keep_recent_groups=1)
    kit.ctx.budget_raw = kit.before * 4  # far from the budget: only the target is missed
    await kit.run(CutStage())
    got = next(m["content"] for m in kit.items() if m.get("role") == "tool")
    assert "ctxproxy cut" in got and "def runshell_db" in got
    assert count(got) >= 0.3 * kit.ctx.target_raw * 0.8


async def test_an_output_is_masked_only_when_its_placeholder_is_at_most_half_of_it() -> None:
    short_view = numbered(
        ["def field_choices(self, field, request, model_admin):", "    pk_qs = qs.values_list('pk')"] * 2
    )
    big = filler(5, 600) + " see /srv/app/big_module.py"
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": "Fix /srv/app/client.py."},
    ]
    msgs += call(0, short_view) + call(1, big) + call(2, "ok") + call(3, "ok")
    msgs.append({"role": "user", "content": "Go on."})
    kit = stage_kit(msgs, target=0.05, keep_recent_groups=1, keep_tool_results=2)
    await kit.run(MaskStage())
    got = [m["content"] for m in kit.items() if m.get("role") == "tool"]
    assert got[0] == short_view  # a placeholder would cost nearly as much: the lines stay
    assert got[1].startswith("[ctxproxy: output of str_replace_editor omitted")
    assert not kit.new_violations()


def test_a_cut_marker_names_private_and_two_part_dotted_names() -> None:
    middle = " ".join(f"line {i}: calls _set_col_formats and signal.SIGINT" for i in range(200))
    text = "HEAD " + filler(1, 300) + " " + middle + " " + filler(2, 300) + " TAIL"
    out = shrink_to(text, count(text) // 3, count, "execute_bash output")
    marker = out[out.index("[… ctxproxy cut") : out.index(" …]")]
    assert "_set_col_formats" in marker and "signal.SIGINT" in marker


def test_a_cut_spends_the_names_lists_unused_room_on_the_text() -> None:
    # Prose with nothing to name: the room reserved for the marker's names list goes to the
    # head and tail instead, so the cut lands close to what it was asked to keep.
    prose = " ".join(["the proxy forwards requests unchanged unless they near the limit."] * 400)
    out = shrink_to(prose, 1000, count)
    assert "mentions:" not in out and 900 <= count(out) <= 1000
    view = client_view(padding=400)  # a file view: its unused names room keeps more lines
    cut = shrink_to(view, 1500, count)
    assert "⋮" in cut and 1200 <= count(cut) <= 1500


def test_a_view_cut_deep_still_lists_every_name_of_its_lines_left_out() -> None:
    # A large file cut to a few lines: the marker is an index of the names it lost (more than
    # the 64 any other cut lists), not bounded by the little room the cut leaves.
    body = [f"    value_{i} = base + step * {i}  # {filler(i, 6)}" for i in range(150)]
    text = numbered(["class Table:", *body])
    out = shrink_to(text, 60, count)
    marker = out[out.index("[… ctxproxy cut") : out.index(" …]")]
    listed = marker.split("mentions: ", 1)[1].split(", ")
    assert len(listed) > 64
    for i in (0, 75, 149):
        assert f"value_{i}" in listed or f"value_{i}" in out.split("[… ctxproxy cut")[0]
    assert count(out) < count(text) // 3  # still a cut: names, not the lines


def test_a_views_names_rank_by_use_error_classes_first() -> None:
    """The names an agent copies into its next edit are the ones the code uses most; an error
    class it saw raised comes before all (it catches it later)."""
    from proxy.compress.code_view import mentions

    code = "\n".join(
        [
            "def parse_rows(rows):",
            "    hdr_list = rows[0]",
            "    raise RowParseError(hdr_list)",
            "    out = [row[i_col] for i_col in range(3)]",
            "    return [i_col + len(out) for i_col in out]",
        ]
    )
    names = mentions(code, "", 10)
    assert names[0] == "RowParseError"
    assert names.index("i_col") < names.index("hdr_list") < names.index("parse_rows")
    assert names.index("parse_rows") < names.index("out")  # a plain word after the compound names
