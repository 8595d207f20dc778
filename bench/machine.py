"""What this machine has (cores, memory) and what its processes use at peak (Linux /proc).

Peak resident memory is the kernel's VmHWM. It can be restarted from the current RSS (write
"5" to clear_refs), so one long benchmark process can report each stage's own peak.
"""

import os
import platform
import threading
import time
from collections import Counter
from pathlib import Path

import psutil


def reference_loop_ms() -> float:
    """The best of five runs of a fixed pure-Python loop on one core. The machine under this
    workplace differs from day to day (the same national sweep took 95 s on one day and 149 s
    on another), so latency and sweep figures of two runs compare only next to this."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def cpu_model() -> str | None:
    info = Path("/proc/cpuinfo")
    if not info.exists():
        return platform.processor() or None
    for line in info.read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return None


def machine_info() -> dict[str, object]:
    return {
        "cpus": psutil.cpu_count(),
        "cpu_model": cpu_model(),
        "reference_loop_ms": reference_loop_ms(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def peak_rss_mb(pid: int | None = None) -> float | None:
    """Peak resident memory of a process (this one by default); None if it is gone."""
    try:
        status = Path(f"/proc/{pid or 'self'}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def reset_peak_rss(pid: int | None = None) -> bool:
    """Restart a process's peak from its current RSS; False where the kernel refuses."""
    try:
        Path(f"/proc/{pid or 'self'}/clear_refs").write_text("5", encoding="utf-8")
    except OSError:
        return False
    return True


def listening_pid(port: int) -> int | None:
    """The local process listening on a TCP port, if this user may see it."""
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
            return conn.pid
    return None


def bolt_pid(uri: str) -> int | None:
    """The local Neo4j server behind a bolt://host:port URI."""
    return listening_pid(int(uri.rsplit(":", 1)[-1]))


def server_peak_rss_mb(uri: str) -> float | None:
    """Peak resident memory of the local process listening on the URI's Bolt port."""
    pid = bolt_pid(uri)
    return None if pid is None else peak_rss_mb(pid)


def _role(proc: psutil.Process, root: psutil.Process) -> str:
    """What a process of a server's tree is, from how multiprocessing starts its children."""
    if proc.pid == root.pid:
        return "main"
    command = " ".join(proc.cmdline())
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker" if "spawn_main" in command else proc.name()


def tree_peak_rss_mb(pid: int) -> dict[str, float]:
    """Peak resident memory of a process and of each of its descendants, keyed `role pid`."""
    peaks: dict[str, float] = {}
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            peak = peak_rss_mb(proc.pid)
            if peak is not None:
                peaks[f"{_role(proc, root)} {proc.pid}"] = peak
    except psutil.Error:
        pass
    return peaks


def cpu_seconds(pid: int | None, with_children: bool = False) -> float:
    """CPU time (user + system) a process, and optionally its descendants, have used so far."""
    if pid is None:
        return 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)] if with_children else [root]
        return sum(sum(p.cpu_times()[:2]) for p in procs)
    except psutil.Error:
        return 0.0


class CpuSteal:
    """The share of the machine's CPU time that the hypervisor gave to other guests between
    construction and `share()` (Linux's `steal`; 0 elsewhere). On a shared VM it varies from
    one run to the next, and a benchmark's seconds grow with it."""

    def __init__(self) -> None:
        self._start = psutil.cpu_times()

    def share(self) -> float:
        end = psutil.cpu_times()
        total = sum(end) - sum(self._start)
        steal = getattr(end, "steal", 0.0) - getattr(self._start, "steal", 0.0)
        return round(steal / total, 3) if total > 0 else 0.0


class ConnectionSplit:
    """How a server's open client connections fall over its worker processes, sampled every
    half second while a level runs (a `with` block): a keep-alive connection stays with the
    worker that accepted it, so the split says whether the workers shared the load."""

    def __init__(self, server_pid: int, port: int, interval_s: float = 0.5) -> None:
        self.server, self.port, self.interval_s = psutil.Process(server_pid), port, interval_s
        self.samples: list[tuple[int, ...]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "ConnectionSplit":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _open(self, worker: psutil.Process) -> int:
        try:
            connections = worker.net_connections("tcp")
        except psutil.Error:
            return 0
        return sum(
            c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == self.port
            for c in connections
        )

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            children = self.server.children()
            workers = [c for c in children if _role(c, self.server) == "worker"] or [self.server]
            self.samples.append(tuple(sorted((self._open(w) for w in workers), reverse=True)))

    def summary(self) -> dict[str, object]:
        """The most frequent split (most connections first) and the share of samples where no
        worker held more than one connection over another."""
        if not self.samples:
            return {"most_frequent": None, "even_share": None, "samples": 0}
        common = Counter(self.samples).most_common(1)[0][0]
        even = sum(max(s, default=0) - min(s, default=0) <= 1 for s in self.samples)
        return {
            "most_frequent": list(common),
            "even_share": round(even / len(self.samples), 2),
            "samples": len(self.samples),
        }
