"""A terminal's chrome in a tool output gives the digest no unit: the bare shell prompt an
agent harness captures after each command (``root@host:/repo #``) and the lines it appends
(OpenHands' ``[Python Interpreter: …]`` and ``[Command finished with exit code N]``). The
command's own output, and a prompt line that carries a command, still do; a call's line count
is its output's, without the chrome, and a command that failed says so (``→ 2 lines, exit 1``)."""

from __future__ import annotations

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.digest import build_summary

REPO = "/workspace/django__django__3.0"


def _bash(body: str, code: int = 0) -> str:
    return (
        f"{body}[Python Interpreter: /opt/miniconda3/envs/testbed/bin/python]\n"
        f"root@openhands-workspace:{REPO} # \n[Command finished with exit code {code}]"
    )


def _summary(*outputs: str) -> str:
    span: list[DroppedMessage] = []
    for i, out in enumerate(outputs):
        span.append(
            DroppedMessage("assistant", f"Step {i}: run it.", calls=(f"execute_bash python run_{i}.py",))
        )
        span.append(DroppedMessage("tool", out, tool_name="execute_bash"))
    return build_summary(SummaryRequest(None, tuple(span), 2000, "gpt-4o"))


def test_the_prompt_and_the_harness_lines_give_no_unit() -> None:
    summary = _summary(
        _bash("python run_0.py\r\nError occurred as expected: no such table: django_content_type", 1),
        _bash("rm /workspace/reproduce_error.py"),
        _bash("python run_2.py\r\nValueError: width 12345 out of range in layout.py line 88", 1),
    )
    body = summary.split("\nArtifacts:")[0]  # the trail may name the prompt's path: units may not
    for chrome in ("root@openhands-workspace", "Python Interpreter", "Command finished", "exit code"):
        assert chrome not in body, chrome
    assert "no such table: django_content_type" in body
    assert "execute_bash python run_1.py → 1 line" in body  # the command's echo; not the chrome
    assert "execute_bash python run_1.py → 1 line, exit" not in body  # exit code 0 is no news
    assert "execute_bash python run_2.py → 2 lines, exit 1" in body  # a failure is
    assert "ValueError: width 12345 out of range in layout.py line 88" in body


def test_a_prompt_line_with_its_command_is_output() -> None:
    out = (
        "collected 3 items\nalice@dev-box:~/proj$ pytest tests/test_io.py\nFAILED tests/test_io.py::test_read"
    )
    summary = _summary(out)
    assert "alice@dev-box:~/proj$ pytest tests/test_io.py" in summary
    assert "FAILED tests/test_io.py::test_read" in summary
