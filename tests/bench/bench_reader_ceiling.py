"""How far a better choice of turns could take the digest: the reader benchmark with the answer key.

A diagnostic, not a method: it knows the questions. The digest's units that come from an
evidence turn (a turn some question's answer rests on) weigh ``--boost`` times more; nothing
else changes (the same units, sizes, selection and rendering). When this reaches the targets
at the same size, the room is enough and what is missing is choosing the turns that will be
asked about; when it does not, the room or the units are the limit.

Run (from any directory; needs ``shared/dev-data/locomo-dev`` beside the checkout)::

    .venv/bin/python tests/bench/bench_reader_ceiling.py [--boost 20] [--renderings merged,named]
"""

from __future__ import annotations

import asyncio
import os
import sys

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from _tree import arg, bootstrap  # this script's folder is on sys.path

bootstrap(sys.argv[1:])

from proxy.compress import TokenCounter  # noqa: E402
from tests.bench.reader.answer_key import AnswerKey  # noqa: E402
from tests.bench.reader.conversations import Cell, measure, tables  # noqa: E402
from tests.bench.reader.devdata import locomo_path  # noqa: E402
from tests.bench.reader.dialogue import load_locomo  # noqa: E402


async def main(argv: list[str]) -> int:
    path = locomo_path()
    if path is None:
        print("locomo-dev: absent (no shared/dev-data/locomo-dev beside the checkout): not measured")
        return 0
    key = AnswerKey(float(arg(argv, "--boost", "20")))
    key.install()
    counter = TokenCounter()
    await counter.warm()
    cells: dict[tuple[str, str], Cell] = {}
    for rendering in arg(argv, "--renderings", "merged,named").split(","):
        cell = cells.setdefault(("locomo-dev (answer key)", rendering), Cell())
        for d in load_locomo(path):
            key.use(d)
            await measure(d, rendering, "aggressive", counter, cell)
    print(f"Evidence turns' units weighted {key.boost:g}× (a diagnostic: it knows the questions)\n")
    print("\n".join(tables(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
