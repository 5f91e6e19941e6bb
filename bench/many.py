#!/usr/bin/python3
"""The window's idle cost with 200 accounts against 5, in one run (issue 17's target: within
1.25x). scripts/bench-accounts.sh calls it inside Xvfb and a private keyring, with two config
directories made by the CLI against the emulators (1 h tokens, so idle means idle).

Each round starts, for each count in turn, the background (`tokenkeeper daemon`, with a tray
host) and the window over that config, waits for the first paint, lets the background's
start-up logins finish, then measures the window's process tree and the background apart: PSS
(/proc/PID/smaps_rollup) and CPU (user + system) over the idle period. Rounds alternate the
two counts, so both see the same machine; the figures are medians over the rounds.

Usage: many.py APP CLI FEW_CONFIG MANY_CONFIG [--rounds N] [--idle SECS] [--settle SECS]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from desktop import Background, Running, cpu_secs, idle, pss_kib, tray_host, tree


def one(app, cli, config, settle, secs):
    """(window PSS KiB, window CPU s, background PSS KiB, background CPU s) for one config."""
    background = Background(cli, config)
    window = Running([app, "--config-dir", config])
    try:
        window.wait_paint()
        time.sleep(settle)
        bg = tree(background.proc.pid)
        bg_cpu0 = cpu_secs(bg)
        pss, cpu, _ = idle(window.proc.pid, secs)
        bg = tree(background.proc.pid)
        return pss, cpu, pss_kib(bg), cpu_secs(bg) - bg_cpu0
    finally:
        window.stop()
        background.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("app")
    ap.add_argument("cli")
    ap.add_argument("few")
    ap.add_argument("many")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--idle", type=int, default=60)
    ap.add_argument("--settle", type=int, default=30)
    args = ap.parse_args()
    os.environ["TOKENKEEPER_CLI"] = args.cli
    host = tray_host()
    runs = {"few": [], "many": []}
    for r in range(args.rounds):
        for name in ("few", "many"):
            figures = one(
                args.app, args.cli, getattr(args, name), args.settle, args.idle
            )
            runs[name].append(figures)
            print(
                f"round {r + 1}, {name}: window PSS {figures[0] / 1024:.1f} MiB, "
                f"CPU {figures[1]:.3f} s; background PSS {figures[2] / 1024:.1f} MiB, "
                f"CPU {figures[3]:.3f} s (over {args.idle} s)",
                flush=True,
            )
    host.terminate()
    host.wait()

    def median(name, i):
        return statistics.median(f[i] for f in runs[name])

    rows = [
        ("window PSS (MiB)", 0, 1024),
        ("window CPU (s)", 1, 1),
        ("background PSS (MiB)", 2, 1024),
        ("background CPU (s)", 3, 1),
    ]
    print(f"medians of {args.rounds} rounds, {args.idle} s idle each:")
    for label, i, scale in rows:
        few, many = median("few", i) / scale, median("many", i) / scale
        ratio = f"{many / few:.2f}" if few > 0 else "n/a"
        print(
            f"  {label}: 5 accounts {few:.3f}, 200 accounts {many:.3f}, ratio {ratio}"
        )
    for label, a, b, scale in (
        ("window + background PSS (MiB)", 0, 2, 1024),
        ("window + background CPU (s)", 1, 3, 1),
    ):
        few = (median("few", a) + median("few", b)) / scale
        many = (median("many", a) + median("many", b)) / scale
        print(
            f"  {label}: 5 accounts {few:.3f}, 200 accounts {many:.3f}, ratio {many / few:.2f}"
        )


if __name__ == "__main__":
    main()
