"""In a real headless Chromium: the project's own trace page, and the why-query in Neo4j Browser.

The page test serves the demo's store with a real uvicorn on 127.0.0.1 and checks what an
analyst sees: a screenshot that is not blank and the root parameter the analysis names. The
Browser test opens the Neo4j Browser that the local Neo4j serves, connects, runs
`cypher/why_unit_month.cypher` for a flagged unit and checks that a result frame rendered nodes.
Screenshots go to `screenshots/` (ignored by git); their paths are printed.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import uvicorn
from PIL import Image
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from served_app import serving
from starlette.routing import NoMatchFound
from test_cypher_files import swept_small_graph
from typer.testing import CliRunner

import cypher
from app.infrastructure.neo4j_local import free_port
from app.infrastructure.stores.embedded import EmbeddedStore
from app.presentation.api.main import create_app
from app.presentation.cli.main import app as cli_app
from app.services.access import Scope, ScopeKind, key_ring_from_environment
from app.services.analysis import explain_unit
from app.settings import Settings, StoreKind, get_settings
from graph_schema.periods import window
from synthetic import demo_command

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
TEST_KEY = "browser-test-national-key-0123456789"
# A page that rendered has text, boxes and a plot: many colours, and ink on a fair share of it.
MIN_COLOURS = 8
MIN_INK_SHARE = 0.02
TIMEOUT_MS = 60_000
CONNECT_TIMEOUT_MS = 20_000
CONNECT_ATTEMPTS = 3


def assert_not_blank(path: Path) -> None:
    with Image.open(path) as image:
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20) or []
        width, height = pixels.size
        ink = sum(n for n, rgb in colours if sum(rgb) < 3 * 235)
    assert len(colours) >= MIN_COLOURS, f"{path}: only {len(colours)} colours"
    assert ink / (width * height) >= MIN_INK_SHARE, f"{path}: {ink} non-white pixels only"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}")
    return path


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`mrvtrace demo --no-serve` run once; its embedded store serves the page tests."""
    home = tmp_path_factory.mktemp("demo-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_HOME", str(home))
        patch.setenv("MRVTRACE_API_KEYS", f"national={TEST_KEY}")
        get_settings.cache_clear()
        key_ring_from_environment.cache_clear()
        yield home
    get_settings.cache_clear()
    key_ring_from_environment.cache_clear()


@pytest.fixture(scope="module")
def demo_output(demo_home: Path) -> str:
    cli = typer.Typer()
    demo_command.register(cli)
    cli.callback()(lambda: None)
    result = CliRunner().invoke(cli, ["demo", "--no-serve"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def served_demo(demo_home: Path, demo_output: str) -> Iterator[tuple[str, EmbeddedStore]]:
    """The API over the demo's store, under a real uvicorn on a free local port."""
    settings = Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=demo_home)
    store = EmbeddedStore(settings)
    app = create_app(settings, store=store)
    try:
        app.url_path_for("unit_page", unit_id="0")
    except NoMatchFound:
        pytest.fail(
            "app.presentation.api.routes_ui.router is not included in "
            "app.presentation.api.main.ROUTERS"
        )
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    try:
        with serving(config) as port:
            yield f"http://127.0.0.1:{port}", store
    finally:
        store.close()


def test_demo_prints_the_five_most_suspicious_units(demo_output: str) -> None:
    lines = [line for line in demo_output.splitlines() if re.search(r"score \d\.\d\d", line)]
    assert len(lines) == 5, demo_output
    units = [line.split()[0] for line in lines]
    assert len(set(units)) == 5, "each unit once"
    assert all(" observed " in line and " expected " in line for line in lines), demo_output


def test_readme_why_example_answers_right_after_the_demo(demo_output: str) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"mrvtrace why (\S+) --period (\S+)", readme)
    assert example, "the README shows a `mrvtrace why UNIT --period YYYY-MM` example"
    unit_id, period = example.groups()
    printed = [line.split()[:2] for line in demo_output.splitlines() if " score " in line]
    assert [unit_id, period] in printed, f"the demo lists {printed}, the README {example[0]}"
    # The CLI's default home is the demo's: the same command as the README's answers.
    result = CliRunner().invoke(cli_app, ["why", unit_id, "--period", period])
    assert result.exit_code == 0, result.output
    assert "Root cause" in result.output, result.output


def test_trace_page_renders_in_chromium(
    browser: Browser, served_demo: tuple[str, EmbeddedStore]
) -> None:
    base, store = served_demo
    flagged = store.read_unit_month_scores(flagged_only=True).iloc[0]
    unit_id, period = str(flagged["unit_id"]), str(flagged["period"])
    answer = explain_unit(store, unit_id, period, Scope(ScopeKind.NATIONAL))[0]
    assert answer.trace.root is not None
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.set_extra_http_headers({"X-API-Key": TEST_KEY})
    try:
        response = page.goto(f"{base}/ui/units/{unit_id}?period={period}")
        assert response is not None and response.status == 200
        assert answer.trace.root.parameter in page.locator("#headline").inner_text()
        assert page.locator("svg.trace-graph g.hop").count() == len(answer.trace.path)
        assert page.locator("svg.series circle.faulty").count() >= 1
        assert page.locator("svg.series polygon.band").count() >= 1
        path = screenshot(page, f"trace-page-{unit_id}-{period}")
    finally:
        page.close()
    assert_not_blank(path)


def test_top_anomalies_page_links_to_traces(
    browser: Browser, served_demo: tuple[str, EmbeddedStore]
) -> None:
    base, _ = served_demo
    page = browser.new_page()
    try:
        page.goto(f"{base}/ui/")
        assert page.url.endswith("/ui/login?next=%2Fui%2F"), "no key: sign in first"
        page.fill("input[name=key]", TEST_KEY)
        page.click("button[type=submit]")
        links = page.locator("a[href^='/ui/units/']")
        assert links.count() >= 5
        links.first.click()
        assert page.locator("svg.trace-graph").count() == 1
    finally:
        page.close()


def _browser_url(bolt_uri: str) -> str:
    host = urlsplit(bolt_uri).hostname or "127.0.0.1"
    port = get_settings().neo4j_http_port
    return f"http://{host}:{port}/browser/"


def _run_in_editor(page: Page, text: str) -> None:
    editor = page.get_by_test_id("activeEditor")
    editor.click()
    page.keyboard.insert_text(text)
    page.get_by_test_id("editor-Run").click()


def _connect(page: Page, url: str) -> None:
    """Open Browser connected to the server ("Connected to Neo4j", whichever greeting follows).
    Browser's first bolt handshake can stall at "Still connecting..." with no retry of its
    own; a reload starts a fresh one."""
    for attempt in range(CONNECT_ATTEMPTS):
        page.goto(url)
        try:
            page.get_by_text("Connected to Neo4j").wait_for(timeout=CONNECT_TIMEOUT_MS)
            return
        except PlaywrightTimeoutError:
            if attempt == CONNECT_ATTEMPTS - 1:
                screenshot(page, "neo4j-browser-connect-failed")
                raise


def test_why_query_renders_in_neo4j_browser(
    browser: Browser, neo4j_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert neo4j_server.auth is None, "the Browser test drives a server with auth disabled"
    graph = swept_small_graph(neo4j_server, tmp_path_factory.getbasetemp() / "cypher-sample")
    bolt = neo4j_server.uri.replace("neo4j://", "bolt://")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _connect(page, f"{_browser_url(bolt)}?dbms={bolt}&preselectAuthMethod=NO_AUTH")
        params = {"unit_id": graph.unit_id, "periods": window(graph.period, 2)}
        _run_in_editor(page, f":params {json.dumps(params)}")
        page.get_by_text(graph.unit_id).first.wait_for(timeout=TIMEOUT_MS)
        _run_in_editor(page, cypher.load("why_unit_month"))
        frame = page.get_by_test_id("frame").first
        frame.locator("svg g.node").first.wait_for(timeout=TIMEOUT_MS)
        assert frame.locator("svg g.node").count() > 10
        assert frame.get_by_test_id("property-details-overview-node-label-Unit").is_visible()
        shown = re.search(r"Displaying ([\d,]+) nodes", frame.inner_text())
        assert shown and int(shown.group(1).replace(",", "")) > 10, "no result overview"
        path = screenshot(page, f"neo4j-browser-why-{graph.unit_id}-{graph.period}")
    finally:
        page.close()
    assert_not_blank(path)


def test_guide_plays_in_neo4j_browser(
    browser: Browser, neo4j_server: Any, served_demo: tuple[str, EmbeddedStore]
) -> None:
    assert neo4j_server.auth is None, "the Browser test drives a server with auth disabled"
    # Browser fetches guides only from whitelisted hosts; `localhost` is on the default list.
    guide = served_demo[0].replace("127.0.0.1", "localhost") + "/browser/guide"
    bolt = neo4j_server.uri.replace("neo4j://", "bolt://")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _connect(page, f"{_browser_url(bolt)}?dbms={bolt}&preselectAuthMethod=NO_AUTH")
        _run_in_editor(page, f":guide {guide}")
        page.get_by_text("Why is this unit flagged?").first.wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_text(":param unit_id").first.is_visible()
        path = screenshot(page, "neo4j-browser-guide")
    finally:
        page.close()
    assert_not_blank(path)


def _run_guide_block(page: Page, text: str) -> None:
    """Click a guide's runnable block (Browser copies it into the editor), run it, and wait for
    its frame: Browser clears the editor after a run, which would wipe a block copied sooner."""
    page.locator("pre.runnable", has_text=text).first.click()
    page.get_by_test_id("editor-Run").click()
    page.get_by_test_id("frame").first.filter(has_text=text).wait_for(timeout=TIMEOUT_MS)


def test_guide_blocks_list_flagged_unit_months_in_neo4j_browser(
    browser: Browser,
    neo4j_server: Any,
    served_demo: tuple[str, EmbeddedStore],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    assert neo4j_server.auth is None, "the Browser test drives a server with auth disabled"
    graph = swept_small_graph(neo4j_server, tmp_path_factory.getbasetemp() / "cypher-sample")
    guide = served_demo[0].replace("127.0.0.1", "localhost") + "/browser/guide"
    bolt = neo4j_server.uri.replace("neo4j://", "bolt://")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _connect(page, f"{_browser_url(bolt)}?dbms={bolt}&preselectAuthMethod=NO_AUTH")
        _run_in_editor(page, f":guide {guide}")
        _run_guide_block(page, ":param limit => 25")
        _run_guide_block(page, "Which unit-months does the current sweep flag")
        # The sample unit is the strongest flagged one: the table's first row names it.
        frame = page.get_by_test_id("frame").first
        cell = frame.get_by_text(f'"{graph.unit_id}"', exact=True).filter(visible=True).first
        cell.wait_for(timeout=TIMEOUT_MS)
        assert frame.get_by_text("top_parameter", exact=True).filter(visible=True).count() == 1
        path = screenshot(page, "neo4j-browser-guide-flagged")
    finally:
        page.close()
    assert_not_blank(path)
