"""A local Neo4j Community server without Docker: jars from Maven Central, run on a suitable JDK.

The jars of one version live in `<cache>/<version>/lib` and are shared; each instance has its
own home (`conf`, `data`, `logs`, `run`, pid file) so a second server on other ports (tests)
can run beside the default one. Every operation is idempotent.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError

import psutil
from neo4j import GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

from app.settings import Settings

MAIN_CLASS = "org.neo4j.server.Neo4jCommunity"
# Neo4j 5.x runs on Java 17; 2025.10 and newer on Java 25 (2025.01-09 need 21, absent here).
JAVA_FOR_5X = 17
JAVA_FOR_CALVER = 25
# Standard places where Linux distributions and Temurin packages install JDKs.
JVM_ROOTS = (Path("/usr/lib/jvm"),)
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0
PID_FILE = "neo4j.pid"
COMPLETE_MARKER = ".complete"
RESOLVER_POM = Path(__file__).parents[1] / "resources" / "neo4j" / "resolver-pom.xml"

JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--add-modules=jdk.incubator.vector",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Dfile.encoding=UTF-8",
)


class Neo4jLocalError(RuntimeError):
    """Provisioning or running the local server failed; the message says what to do."""


@dataclass(frozen=True)
class Neo4jStatus:
    installed: bool
    running: bool
    pid: int | None
    version: str | None
    bolt_port: int
    http_port: int
    home: Path
    log_file: Path

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"


def java_major(java_home: Path) -> int | None:
    """The feature version of the JDK at `java_home`, read from its `release` file."""
    release = java_home / "release"
    if not release.is_file():
        return None
    match = re.search(r'JAVA_VERSION="(\d+)', release.read_text(encoding="utf-8", errors="ignore"))
    return int(match.group(1)) if match else None


def required_java(version: str) -> int:
    return JAVA_FOR_5X if version.startswith("5.") else JAVA_FOR_CALVER


def find_java(version: str, explicit: str | None = None) -> Path:
    """The `java` executable for this Neo4j version: an explicit JDK, then JAVA_HOME, then the
    newest suitable JDK in the standard JVM folders."""
    need = required_java(version)
    named = [Path(p) for p in (explicit, os.environ.get("JAVA_HOME")) if p]
    found = sorted(
        (home for root in JVM_ROOTS if root.is_dir() for home in root.iterdir()),
        key=lambda home: java_major(home) or 0,
        reverse=True,
    )
    for home in [*named, *found]:
        # An explicit setting may name the java binary itself rather than the JDK folder.
        jdk = home.parent.parent if home.name == "java" and home.is_file() else home
        major = java_major(jdk)
        if major is not None and major >= need and (jdk / "bin" / "java").is_file():
            return jdk / "bin" / "java"
    raise Neo4jLocalError(
        f"Neo4j {version} needs Java {need} or newer; none found. "
        "Set MRVTRACE_NEO4J_JAVA (or JAVA_HOME) to such a JDK."
    )


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    """A TCP port nothing listens on now (for a second server in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LocalNeo4j:
    """One local server instance: which version, where its files are, which ports."""

    version: str
    cache_dir: Path
    bolt_port: int
    http_port: int
    heap: str
    pagecache: str
    home: Path
    java: str | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        bolt_port: int | None = None,
        http_port: int | None = None,
        home: Path | None = None,
    ) -> "LocalNeo4j":
        cache = settings.neo4j_cache_dir.absolute()
        bolt = bolt_port or settings.neo4j_bolt_port
        version_dir = cache / settings.neo4j_version
        return cls(
            version=settings.neo4j_version,
            cache_dir=cache,
            bolt_port=bolt,
            http_port=http_port or settings.neo4j_http_port,
            heap=settings.neo4j_heap,
            pagecache=settings.neo4j_pagecache,
            home=(home or version_dir / "instances" / f"bolt-{bolt}").absolute(),
            java=settings.neo4j_java,
        )

    # -- files ---------------------------------------------------------------------------------

    @property
    def lib_dir(self) -> Path:
        return self.cache_dir / self.version / "lib"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / PID_FILE

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def installed(self) -> bool:
        return (self.lib_dir / COMPLETE_MARKER).is_file()

    def install(self) -> Path:
        """Resolve the server's jars with Maven into the shared lib folder (once)."""
        if self.installed():
            return self.lib_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jLocalError("Maven (`mvn`) is needed to download Neo4j; install it first.")
        self.lib_dir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(RESOLVER_POM),
                "dependency:copy-dependencies",
                f"-Dneo4j.version={self.version}",
                "-DincludeScope=runtime",
                "-DexcludeTypes=pom",
                f"-DoutputDirectory={self.lib_dir}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            raise Neo4jLocalError(f"Maven could not resolve Neo4j {self.version}:\n{tail}")
        (self.lib_dir / COMPLETE_MARKER).write_text(self.version, encoding="utf-8")
        return self.lib_dir

    def _write_config(self) -> None:
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        # Whole-line comments only: Neo4j rejects unknown or malformed keys at start-up.
        lines = [
            "# Written by mrvtrace (app/infrastructure/neo4j_local.py); rewritten on every start.",
            f"server.directories.data={self.home / 'data'}",
            f"server.directories.logs={self.home / 'logs'}",
            f"server.directories.run={self.home / 'run'}",
            f"server.directories.plugins={self.home / 'plugins'}",
            f"server.directories.import={self.home / 'import'}",
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.bolt_port}",
            "server.http.enabled=true",
            f"server.http.listen_address=127.0.0.1:{self.http_port}",
            f"server.http.advertised_address=127.0.0.1:{self.http_port}",
            "server.https.enabled=false",
            # A development server on loopback only: no credentials to hand around, so drivers
            # connect without auth and Browser with "No authentication" (docs/browser.md).
            "dbms.security.auth_enabled=false",
            f"server.memory.pagecache.size={self.pagecache}",
            "dbms.usage_report.enabled=false",
        ]
        (self.home / "conf" / "neo4j.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # -- process -------------------------------------------------------------------------------

    def _process(self) -> psutil.Process | None:
        """Our server process, if the pid file names a live one started for this home."""
        try:
            pid = int(self.pid_file.read_text(encoding="utf-8").strip())
            proc = psutil.Process(pid)
            alive = proc.status() != psutil.STATUS_ZOMBIE
            ours = f"--home-dir={self.home}" in proc.cmdline()
        except (FileNotFoundError, ValueError, psutil.Error):
            return None
        return proc if alive and ours else None

    def bolt_answers(self, timeout: float = 3.0) -> bool:
        try:
            with GraphDatabase.driver(self.uri, connection_timeout=timeout) as driver:
                driver.verify_connectivity()
        except (DriverError, Neo4jError, OSError):
            return False
        return True

    def server_version(self) -> str | None:
        """The version the running server reports on its HTTP discovery endpoint."""
        # One GET: the standard library's client spares the product an HTTP client dependency.
        url = f"http://127.0.0.1:{self.http_port}/"
        try:
            with urllib.request.urlopen(url, timeout=3.0) as reply:
                discovery = json.load(reply)
        except (URLError, OSError, ValueError):
            return None
        version = discovery.get("neo4j_version") if isinstance(discovery, dict) else None
        return str(version) if version else None

    def status(self) -> Neo4jStatus:
        proc = self._process()
        running = proc is not None and self.bolt_answers()
        return Neo4jStatus(
            installed=self.installed(),
            running=running,
            pid=proc.pid if proc else None,
            version=self.server_version() if running else None,
            bolt_port=self.bolt_port,
            http_port=self.http_port,
            home=self.home,
            log_file=self.log_file,
        )

    def start(self, timeout: float = START_TIMEOUT_S) -> Neo4jStatus:
        """Start the server (installing it first) and return once Bolt answers."""
        self.install()
        proc = self._process()
        if proc is None:
            for port in (self.bolt_port, self.http_port):
                if port_open(port):
                    raise Neo4jLocalError(
                        f"port {port} is taken by another process; choose other ports "
                        "(`mrvtrace neo4j start --bolt-port N --http-port M`, or "
                        "MRVTRACE_NEO4J_BOLT_PORT and MRVTRACE_NEO4J_HTTP_PORT)"
                    )
            proc = self._spawn()
        deadline = time.monotonic() + timeout
        while not self.bolt_answers(timeout=2.0):
            if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
                raise Neo4jLocalError(f"Neo4j exited during start-up:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                raise Neo4jLocalError(
                    f"Bolt did not answer in {timeout:.0f} s; see {self.log_file}"
                )
            time.sleep(0.5)
        return self.status()

    def _spawn(self) -> psutil.Process:
        java = find_java(self.version, self.java)
        self._write_config()
        command = [
            str(java),
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            "-cp",
            f"{self.home / 'plugins'}/*:{self.lib_dir}/*",
            MAIN_CLASS,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",
        ]
        with self.log_file.open("ab") as log:
            # A session of its own, so the server outlives the command that started it.
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                start_new_session=True,
            )
        self.pid_file.write_text(str(child.pid), encoding="utf-8")
        return psutil.Process(child.pid)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Stop gracefully (SIGTERM, wait), killing only as a last resort. True if it ran."""
        proc = self._process()
        if proc is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        self.pid_file.unlink(missing_ok=True)
        return True

    def _log_tail(self, chars: int = 3000) -> str:
        if not self.log_file.is_file():
            return "(no log)"
        return self.log_file.read_text(encoding="utf-8", errors="replace")[-chars:]
