"""The soak benchmark's traced proxy: the proxy served in the current process, with a thread
that appends to a file every minute what its heap holds (RSS, glibc's heap, pymalloc's arenas,
the proxy's containers over 1,000 entries and, optionally, the biggest tracemalloc differences).
``soak.py --trace FILE`` starts it in a process of its own."""

from __future__ import annotations

import os
import sys
import time

from _util import rss_mb


def serve_traced(config: str, out: str, frames: int) -> None:
    """The proxy in this process; a thread appends what its heap holds to ``out`` each minute.

    Every minute: RSS, glibc's heap (``mallinfo2``: in use vs free but resident), pymalloc's
    arenas and blocks (``sys._debugmallocstats``) and, with ``frames`` > 0, the 25 biggest
    allocation-site differences under tracemalloc (against minute 2 from minute 3 on: the target
    measures growth from there). Tracing with many frames slows the proxy a lot; 1 frame
    (``--trace-frames 1``) keeps the load realistic."""
    import ctypes
    import threading
    import tracemalloc

    from proxy.config import load_settings
    from proxy.server.run import serve

    class MallInfo2(ctypes.Structure):
        names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
        _fields_ = [(name, ctypes.c_size_t) for name in names.split()]

    libc = ctypes.CDLL(None)
    mallinfo2 = getattr(libc, "mallinfo2", None)
    if mallinfo2 is not None:
        mallinfo2.restype = MallInfo2

    def heap() -> str:
        parts = [f"RSS {rss_mb(os.getpid()):.1f} MiB"]
        if mallinfo2 is not None:
            mi = mallinfo2()
            parts.append(
                f"C heap: in use {mi.uordblks / 2**20:.1f} MiB, free {mi.fordblks / 2**20:.1f} MiB,"
                f" mmapped {mi.hblkhd / 2**20:.1f} MiB"
            )
        r, w = os.pipe()  # _debugmallocstats writes to the C stderr
        saved = os.dup(2)
        os.dup2(w, 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(w)
            os.close(saved)
        with os.fdopen(r) as pipe:
            stats = pipe.read()
        for line in stats.splitlines():
            if line.startswith(
                ("# arenas allocated current", "# bytes in allocated blocks")
            ) or line.startswith(("# bytes in available blocks", "Total")):
                parts.append(" ".join(line.split()))
        return " · ".join(parts)

    def holders() -> list[str]:
        """The proxy's big containers (over 1,000 entries): which object, which field, how many."""
        import gc

        found: list[tuple[int, str]] = []
        for obj in gc.get_objects():
            cls = type(obj)
            if not cls.__module__.startswith("proxy.") or not hasattr(obj, "__dict__"):
                continue
            for name, value in vars(obj).items():
                if isinstance(value, dict | list | set) and len(value) > 1000:
                    found.append((len(value), f"{cls.__name__}.{name}: {len(value)} entries"))
                elif hasattr(value, "currsize") and value.currsize > 1000:  # cachetools
                    found.append((value.currsize, f"{cls.__name__}.{name}: size {value.currsize}"))
                elif hasattr(value, "hits") and hasattr(value, "misses"):  # the token memo
                    rate = value.hits / max(1, value.hits + value.misses)
                    found.append(
                        (len(value), f"{cls.__name__}.{name}: {len(value)} entries, hit rate {rate:.1%}")
                    )
        return [text for _, text in sorted(found, reverse=True)[:12]]

    def dump() -> None:
        time.sleep(20)  # tracing from the start would make loading the encodings take minutes
        if frames:
            tracemalloc.start(frames)
        previous = tracemalloc.take_snapshot() if frames else None
        baseline = None
        minute = 0
        while True:
            time.sleep(60)
            minute += 1
            with open(out, "a") as f:
                f.write(f"\n=== minute {minute}: {heap()} ===\n")
                f.writelines(f"    {line}\n" for line in holders())
                if previous is None:
                    continue
                snap = tracemalloc.take_snapshot().filter_traces(
                    [tracemalloc.Filter(False, tracemalloc.__file__)]
                )
                top = snap.compare_to(baseline or previous, "traceback")[:25]
                if minute == 2:
                    baseline = snap
                size = sum(s.size for s in snap.statistics("filename")) / 2**20
                since = "minute 2" if baseline is not None and minute > 2 else "the previous minute"
                f.write(f"traced {size:.1f} MiB, diff against {since}\n")
                for stat in top:
                    f.write(f"{stat.size_diff / 1024:+10.1f} KiB {stat.count_diff:+8d} blocks\n")
                    for line in stat.traceback.format()[-8:]:
                        f.write(f"        {line}\n")
                previous = snap

    threading.Thread(target=dump, daemon=True).start()
    serve(load_settings(config))
