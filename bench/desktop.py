#!/usr/bin/python3
"""The desktop app's cost against a bare Tauri window, measured in one run (scripts/bench-desktop.sh
calls it inside Xvfb and a private keyring): cold start to first paint, idle memory (PSS of the
whole process tree, from /proc/PID/smaps_rollup) and idle CPU, window open and window closed,
and the engine's own idle CPU (`tokenkeeper daemon` on the same accounts) for comparison.

Usage: desktop.py APP BARE CLI CONFIG_DIR [--runs N] [--idle SECS]
"""
import argparse
import os
import signal
import statistics
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
XWIN = os.path.join(HERE, "..", "tests", "e2e", "xwin.py")
TICK = os.sysconf("SC_CLK_TCK")


def stat(path):
    """A /proc stat file as (name, fields after the name), or None when the task is gone."""
    try:
        with open(path) as f:
            raw = f.read()
    except OSError:
        return None
    return raw[raw.index("(") + 1:raw.rindex(")")], raw.rsplit(")", 1)[1].split()


def ticks(fields):
    return int(fields[11]) + int(fields[12])  # utime, stime


def children_of():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := stat(f"/proc/{entry}/stat")):
            kids.setdefault(int(st[1][1]), []).append(int(entry))
    return kids


def tree(pid):
    kids = children_of()
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(kids.get(p, []))
    return out


def pss_kib(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_secs(pids):
    return sum(ticks(st[1]) for p in pids if (st := stat(f"/proc/{p}/stat"))) / TICK


def names(pids):
    out = []
    for p in pids:
        try:
            with open(f"/proc/{p}/comm") as f:
                out.append(f.read().strip())
        except OSError:
            pass
    return out


class Running:
    """A started app whose stderr is read in the background; `painted` is set at its first paint."""

    def __init__(self, cmd):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.painted_after = None
        self.reported_ms = None
        self.painted = threading.Event()
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)
            if "first paint after" in line and not self.painted.is_set():
                self.painted_after = time.monotonic() - self.started
                self.reported_ms = int(line.split("first paint after")[1].split()[0])
                self.painted.set()

    def wait_paint(self, timeout=90):
        if not self.painted.wait(timeout):
            raise SystemExit(f"no first paint within {timeout} s: {''.join(self.lines[-20:])}")
        return self.painted_after

    def stop(self):
        for p in reversed(tree(self.proc.pid)):
            try:
                os.kill(p, signal.SIGTERM)
            except OSError:
                pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        time.sleep(1)


def windows(command, title):
    out = subprocess.run(["/usr/bin/python3", XWIN, command, title], capture_output=True, text=True, check=True)
    return int(out.stdout.strip() or 0)


def thread_ticks(pids):
    """CPU ticks so far of every thread of `pids`, by (process name, thread name, tid)."""
    out = {}
    for p in pids:
        try:
            with open(f"/proc/{p}/comm") as f:
                process = f.read().strip()
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tids:
            if st := stat(f"/proc/{p}/task/{t}/stat"):
                out[(process, st[0], t)] = ticks(st[1])
    return out


def busiest(before, after, top=5):
    """The threads that spent the most CPU between two thread_ticks, as 'process/thread 0.00 s'."""
    spent = {}
    for key, ticks in after.items():
        process, name, _ = key
        spent[(process, name)] = spent.get((process, name), 0) + ticks - before.get(key, 0)
    ranked = sorted(((t, k) for k, t in spent.items() if t > 0), reverse=True)[:top]
    return ", ".join(f"{p}/{n} {t / TICK:.2f} s" for t, (p, n) in ranked) or "none"


def idle(run, secs):
    pids = tree(run.proc.pid)
    c0 = cpu_secs(pids)
    t0 = thread_ticks(pids)
    time.sleep(secs)
    pids = tree(run.proc.pid)
    print(f"  busiest threads: {busiest(t0, thread_ticks(pids))}")
    return pss_kib(pids), cpu_secs(pids) - c0, names(pids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("app")
    ap.add_argument("bare")
    ap.add_argument("cli")
    ap.add_argument("config")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle", type=int, default=60)
    args = ap.parse_args()
    app_cmd = [args.app, "--config-dir", args.config]
    bare_cmd = [args.bare]

    # Cold start to first paint, alternating so both see the same machine state.
    starts = {"bare": [], "app": []}
    for _ in range(args.runs):
        for name, cmd in (("bare", bare_cmd), ("app", app_cmd)):
            run = Running(cmd)
            starts[name].append(run.wait_paint())
            run.stop()
    bare_start = statistics.median(starts["bare"])
    app_start = statistics.median(starts["app"])
    print(f"first paint, median of {args.runs} starts: bare {bare_start*1000:.0f} ms, "
          f"app (five accounts listed) {app_start*1000:.0f} ms; ratio {app_start/bare_start:.2f}")

    settle = 15
    # Idle, window open: the floor.
    bare = Running(bare_cmd)
    bare.wait_paint()
    time.sleep(settle)
    bare_pss, bare_cpu, bare_procs = idle(bare, args.idle)
    bare.stop()
    print(f"bare Tauri, window open: PSS {bare_pss/1024:.1f} MiB ({', '.join(bare_procs)}); "
          f"CPU {bare_cpu:.3f} s over {args.idle} s")

    # The app: window open, then closed with background refresh running.
    app = Running(app_cmd)
    app.wait_paint()
    time.sleep(settle)
    open_pss, open_cpu, open_procs = idle(app, args.idle)
    print(f"app, window open: PSS {open_pss/1024:.1f} MiB ({', '.join(open_procs)}); "
          f"CPU {open_cpu:.3f} s over {args.idle} s; PSS ratio to the floor {open_pss/bare_pss:.2f}")
    if windows("close", "TokenKeeper") != 1:
        raise SystemExit("no TokenKeeper window to close")
    deadline = time.monotonic() + 20
    while windows("count", "TokenKeeper") and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(settle)
    closed_pss, closed_cpu, closed_procs = idle(app, args.idle)
    app.stop()
    print(f"app, window closed: PSS {closed_pss/1024:.1f} MiB ({', '.join(closed_procs)}); "
          f"CPU {closed_cpu:.3f} s over {args.idle} s; PSS ratio to the floor's window-open {closed_pss/bare_pss:.2f}")

    # The engine's own cost: the daemon on the same accounts.
    daemon = subprocess.Popen([args.cli, "--config-dir", args.config, "daemon"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(settle)
    pids = tree(daemon.pid)
    c0 = cpu_secs(pids)
    time.sleep(args.idle)
    daemon_cpu = cpu_secs(tree(daemon.pid)) - c0
    daemon_pss = pss_kib(tree(daemon.pid))
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(10)
    print(f"tokenkeeper daemon (the engine alone): PSS {daemon_pss/1024:.1f} MiB; CPU {daemon_cpu:.3f} s over {args.idle} s; "
          f"app with its window closed minus the daemon: {closed_cpu - daemon_cpu:+.3f} s")


if __name__ == "__main__":
    main()
