"""A tool loop in the digest: calls read as commands with their result's size, placeholders
cost nothing, and the names a masked output mentioned reach the artifacts trail, which loses its
oldest names first when it is too long.
"""

from __future__ import annotations

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.digest import build_summary
from proxy.compress.stages.summarize import describe_call
from proxy.compress.units import estimate_tokens


def test_tool_calls_read_as_commands_with_their_result_size_and_placeholders_cost_nothing() -> None:
    call = '{"name": "str_replace_editor", "arguments": "{\\"command\\": \\"view\\", \\"path\\": \\"django/contrib/auth/validators.py\\"}"}'
    described = describe_call(call)
    assert described == "str_replace_editor view django/contrib/auth/validators.py"
    long_arg = '{"name": "edit", "arguments": {"path": "a.py", "file_text": "' + "x = 1\\n" * 40 + '"}}'
    assert describe_call(long_arg) == "edit a.py file_text=…"
    listing = "\n".join(f"{i}\tline {i} of the file" for i in range(1, 27))
    span = (
        DroppedMessage("assistant", "Let me look.\nCalled " + described + ".", calls=(described,)),
        DroppedMessage("tool", listing, tool_name="str_replace_editor"),
        DroppedMessage("assistant", "And the tests.\nCalled run_tests.", calls=("run_tests",)),
        DroppedMessage(
            "tool", "[ctxproxy: output of run_tests omitted (900 tokens); mentions: 1234]", "run_tests"
        ),
        DroppedMessage(
            "tool", "Traceback …\nFile src/app.py, line 88\nKeyError: 'REGION'", tool_name="execute_bash"
        ),
    )
    text = build_summary(SummaryRequest(None, span, 800, "gpt-4o"))
    assert "str_replace_editor view django/contrib/auth/validators.py → 26 lines" in text
    assert "run_tests → " not in text and "ctxproxy: output" not in text
    assert "File src/app.py, line 88" in text and "KeyError: 'REGION'" in text
    assert '{"' not in text  # no condensed JSON


def test_a_masked_file_views_names_reach_the_trail_in_the_order_the_mask_stage_ranked_them() -> None:
    from proxy.compress.stages.mask import placeholder

    view = "Here's the result of running `cat -n` on /srv/app/client.py:\n" + "\n".join(
        f"{i:6}\t{line}"
        for i, line in enumerate(
            [
                "import os",
                "import signal",
                "class DatabaseClient(BaseDatabaseClient):",
                "    def runshell_db(cls, conn_params):",
                "        sigint_handler = signal.getsignal(signal.SIGINT)",
                "        subprocess_env = os.environ.copy()",
            ],
            1,
        )
    )
    masked = placeholder("str_replace_editor", 500, view)
    span = (
        DroppedMessage("assistant", "Let me look.\nCalled view.", calls=("view",)),
        DroppedMessage("tool", masked, tool_name="str_replace_editor"),
    )
    text = build_summary(SummaryRequest(None, span, 800, "gpt-4o"))
    trail = next(line for line in text.split("\n") if line.startswith("Artifacts: "))
    for name in (
        "/srv/app/client.py",
        "runshell_db",
        "sigint_handler",
        "signal.getsignal",
        "os.environ.copy",
    ):
        assert name in trail.removeprefix("Artifacts: ").split(", ")
    assert "ctxproxy: output" not in text


def test_an_overlong_trail_loses_its_oldest_names_first_a_few_at_a_time() -> None:
    span = tuple(
        DroppedMessage(
            "tool", f"[ctxproxy: output of run omitted (90 tokens); mentions: name_{i:02}_a, name_{i:02}_b]"
        )
        for i in range(60)
    )
    text = build_summary(SummaryRequest(None, span, 300, "gpt-4o"))
    trail = next(line for line in text.split("\n") if line.startswith("Artifacts: "))
    names = trail.removeprefix("Artifacts: ").split(", ")
    assert names[-1] == "name_59_b" and "name_00_a" not in names and "name_30_a" not in names
    # Not halved: only as many old names go as the room needs; tool outputs' names get room
    # of their own beside the digest's quarter, within three quarters of it.
    assert 24 <= len(names) and estimate_tokens(trail) <= 300 * 3 // 4


def test_a_numbered_views_blank_lines_and_licence_comment_give_no_units() -> None:
    """``cat -n`` numbers blank lines too; ``417`` alone names nothing (it only looked like a
    number worth keeping) and once took a digest segment of its own. A licence comment names
    ``LICENSE.rst``, no fact of the session."""
    view = "Here's the result of running `cat -n` on /srv/app/filters.py:\n" + "\n".join(
        f"{i:6}\t{code}"
        for i, code in enumerate(
            [
                "# Licensed under a 3-clause BSD style license - see LICENSE.rst",
                "FieldListFilter.register(lambda f: True, AllValuesFieldListFilter)",
                "",
                "def field_choices(self, field, request, model_admin):",
                "    pk_qs = model_admin.get_queryset(request).values_list('pk', flat=True)",
                "",
            ],
            415,
        )
    )
    call = "str_replace_editor view /srv/app/filters.py"
    for numbered in (view, view.replace("\t", "→")):  # ``cat -n``, Claude Code's Read
        span = (
            DroppedMessage("assistant", "Let me look.\nCalled " + call + ".", calls=(call,)),
            DroppedMessage("tool", numbered, tool_name="str_replace_editor"),
        )
        text = build_summary(SummaryRequest(None, span, 800, "gpt-4o"))
        assert "418 def field_choices" in text or "418→def field_choices" in text, text
        lines = [line for line in text.split("\n") if line.startswith("- ")]
        pieces = [p.strip().split(": ")[-1] for line in lines for p in line.replace("|", ";").split(";")]
        assert not [p for p in pieces if p.rstrip("→").isdigit()], text
        assert "LICENSE" not in text and "Licensed" not in text, text


def test_a_cut_output_says_it_was_cut_not_the_lines_left_around_its_marker() -> None:
    """An output the truncate stage cut before it was folded: the call says how much was cut,
    not ``→ 3 lines`` (the kept head, the marker, the kept tail)."""
    head = "src/pkg/module_8.py:0: def handler_8_0(request_id=8000)"
    marker = "[… ctxproxy cut 2519 tokens of content; mentions: module_8.py, handler_8_1 …]"
    span = (
        DroppedMessage(
            "assistant",
            "Reading.\nCalled read_file src/pkg/module_8.py.",
            calls=("read_file src/pkg/module_8.py",),
        ),
        DroppedMessage("tool", f"{head}\n{marker}\n", tool_name="read_file"),
        DroppedMessage(
            "assistant",
            "Next.\nCalled read_file src/pkg/module_9.py.",
            calls=("read_file src/pkg/module_9.py",),
        ),
        DroppedMessage("tool", f"\n{marker.replace('8', '9')}\n", tool_name="read_file"),
    )
    text = build_summary(SummaryRequest(None, span, 800, "gpt-4o"))
    assert "read_file src/pkg/module_8.py → 1 line shown, 2519 tokens cut" in text
    assert "read_file src/pkg/module_9.py → 2519 tokens, cut" in text
