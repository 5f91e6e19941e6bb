#!/usr/bin/python3
"""The desktop app's cost against a bare Tauri window, measured in one run (scripts/bench-desktop.sh
calls it inside Xvfb and a private keyring). The app is two processes: the window
(`tokenkeeper-app`, while it is open) and the background (`tokenkeeper daemon`: engine, agent,
tray, notifications, clipboard). Measured: the window's cold start to first paint (the
background already running, as after login; and with none, so the window starts it), idle
memory (PSS of each process tree, from /proc/PID/smaps_rollup) and idle CPU of the window open,
of the background alone with a tray host (a StatusNotifierWatcher: tests/e2e/sni.py), without
one, and with `--no-tray` (the engine alone, what the daemon was before it had a tray).

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
SNI = os.path.join(HERE, "..", "tests", "e2e", "sni.py")
TICK = os.sysconf("SC_CLK_TCK")


def stat(path):
    """A /proc stat file as (name, fields after the name), or None when the task is gone."""
    try:
        with open(path) as f:
            raw = f.read()
    except OSError:
        return None
    return raw[raw.index("(") + 1 : raw.rindex(")")], raw.rsplit(")", 1)[1].split()


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
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
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
            raise SystemExit(
                f"no first paint within {timeout} s: {''.join(self.lines[-20:])}"
            )
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
    out = subprocess.run(
        ["/usr/bin/python3", XWIN, command, title],
        capture_output=True,
        text=True,
        check=True,
    )
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
        spent[(process, name)] = (
            spent.get((process, name), 0) + ticks - before.get(key, 0)
        )
    ranked = sorted(((t, k) for k, t in spent.items() if t > 0), reverse=True)[:top]
    return ", ".join(f"{p}/{n} {t / TICK:.2f} s" for t, (p, n) in ranked) or "none"


def idle(pid, secs):
    """PSS, CPU seconds over `secs` and process names of the tree under `pid`, left alone."""
    pids = tree(pid)
    c0 = cpu_secs(pids)
    t0 = thread_ticks(pids)
    time.sleep(secs)
    pids = tree(pid)
    print(f"  busiest threads: {busiest(t0, thread_ticks(pids))}")
    return pss_kib(pids), cpu_secs(pids) - c0, names(pids)


class Background:
    """`tokenkeeper daemon` over the config directory (extra arguments: `--no-tray`)."""

    def __init__(self, cli, config, *extra):
        self.proc = subprocess.Popen(
            [cli, "daemon", "--config-dir", config, *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines = []
        self.started = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.started.wait(30):
            raise SystemExit(
                f"the background did not start: {''.join(self.lines[-20:])}"
            )

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)
            if "background started" in line:
                self.started.set()

    def idle(self, settle, secs):
        time.sleep(settle)
        pss, cpu, _ = idle(self.proc.pid, secs)
        return pss, cpu

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        time.sleep(1)


def tray_host():
    host = subprocess.Popen(
        ["/usr/bin/python3", SNI, "watcher"], stdout=subprocess.PIPE, text=True
    )
    if host.stdout.readline().strip() != "ready":
        raise SystemExit("the tray host did not start")
    return host


def stop_backgrounds(cli):
    subprocess.run(["pkill", "-f", f"{cli} daemon"], check=False)
    time.sleep(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("app")
    ap.add_argument("bare")
    ap.add_argument("cli")
    ap.add_argument("config")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle", type=int, default=60)
    args = ap.parse_args()
    os.environ["TOKENKEEPER_CLI"] = args.cli
    app_cmd = [args.app, "--config-dir", args.config]
    bare_cmd = [args.bare]
    settle = 15
    host = tray_host()

    # Cold start to first paint, alternating so both see the same machine state; the
    # background running, as it does from login on.
    background = Background(args.cli, args.config)
    time.sleep(5)
    starts = {"bare": [], "app": []}
    for _ in range(args.runs):
        for name, cmd in (("bare", bare_cmd), ("app", app_cmd)):
            run = Running(cmd)
            starts[name].append(run.wait_paint())
            run.stop()
    bare_start = statistics.median(starts["bare"])
    app_start = statistics.median(starts["app"])
    print(
        f"first paint, median of {args.runs} starts: bare {bare_start * 1000:.0f} ms, "
        f"window (five accounts listed, the background running) {app_start * 1000:.0f} ms; ratio {app_start / bare_start:.2f}"
    )
    background.stop()
    # And with no background: the window starts one (the paint does not wait for it).
    cold = []
    for _ in range(args.runs):
        run = Running(app_cmd)
        cold.append(run.wait_paint())
        run.stop()
        stop_backgrounds(args.cli)
    print(
        f"first paint with no background running (the window starts it), median: "
        f"{statistics.median(cold) * 1000:.0f} ms; ratio {statistics.median(cold) / bare_start:.2f}"
    )

    # Idle, window open: the floor.
    bare = Running(bare_cmd)
    bare.wait_paint()
    time.sleep(settle)
    bare_pss, bare_cpu, bare_procs = idle(bare.proc.pid, args.idle)
    bare.stop()
    print(
        f"bare Tauri, window open: PSS {bare_pss / 1024:.1f} MiB ({', '.join(bare_procs)}); "
        f"CPU {bare_cpu:.3f} s over {args.idle} s"
    )

    # The window open, over a running background (measured apart).
    background = Background(args.cli, args.config)
    app = Running(app_cmd)
    app.wait_paint()
    time.sleep(settle)
    open_pss, open_cpu, open_procs = idle(app.proc.pid, args.idle)
    bg_pss = pss_kib(tree(background.proc.pid))
    print(
        f"window open: PSS {open_pss / 1024:.1f} MiB ({', '.join(open_procs)}); "
        f"CPU {open_cpu:.3f} s over {args.idle} s; PSS ratio to the floor {open_pss / bare_pss:.2f}; "
        f"with the background's {bg_pss / 1024:.1f} MiB: {(open_pss + bg_pss) / bare_pss:.2f}"
    )
    if windows("close", "TokenKeeper") != 1:
        raise SystemExit("no TokenKeeper window to close")
    try:
        app.proc.wait(20)
    except subprocess.TimeoutExpired:
        raise SystemExit("the window's process did not end when its window closed")
    print(f"window closed: the window's process ended (exit {app.proc.returncode})")

    # The background alone: with a tray host (the tray shows), without one, without a tray.
    pss, cpu = background.idle(settle, args.idle)
    background.stop()
    print(
        f"background, tray shown: PSS {pss / 1024:.1f} MiB; CPU {cpu:.3f} s over {args.idle} s; "
        f"PSS ratio to the floor's window-open {pss / bare_pss:.3f}"
    )
    host.terminate()
    host.wait()
    background = Background(args.cli, args.config)
    pss_nohost, cpu_nohost = background.idle(settle, args.idle)
    background.stop()
    print(
        f"background, no tray host: PSS {pss_nohost / 1024:.1f} MiB; CPU {cpu_nohost:.3f} s over {args.idle} s"
    )
    background = Background(args.cli, args.config, "--no-tray")
    pss_engine, cpu_engine = background.idle(settle, args.idle)
    background.stop()
    print(
        f"background --no-tray (the engine alone, the daemon as it was): PSS {pss_engine / 1024:.1f} MiB; "
        f"CPU {cpu_engine:.3f} s over {args.idle} s; the tray costs {(pss - pss_engine) / 1024:+.1f} MiB, "
        f"{cpu - cpu_engine:+.3f} s a minute"
    )


if __name__ == "__main__":
    main()
