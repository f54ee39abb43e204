"""The documentation sites: the template's and each generated project's, and the generated architecture diagram.

Each site builds with `mkdocs build --strict` (a broken link or anchor fails it), lists every docs page in
its nav, and works in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`,
which `.ci/run` installs) opens every page of the nav with no console error, and draws the Mermaid
diagram. The diagram of a generated project holds every function, queue and table of its
`serverless.yml`, and nothing else.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import types
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from combinations import HOSTILE, SUPPORTED
from conftest import PYTHON, TEMPLATE_DIR, Bake, baked_once, run

DEFAULT = "aws-default"
LEAN = "aws-usnj-us-east-1-sessions-only-py312"  # sessions only
CASES = dict(SUPPORTED + HOSTILE)

# Debian's packages, which `.ci/run` installs when they are missing; another machine's Chromium (or
# Chrome) and its matching driver through DOCS_CHROMIUM and DOCS_CHROMEDRIVER.
CHROMIUM = os.environ.get("DOCS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DOCS_CHROMEDRIVER", "/usr/bin/chromedriver")
# What headless Chromium needs on a machine that may have no internet access: no GPU, no
# sandbox (CI runs as root), and none of the background traffic a fresh profile starts.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,1000"]
QUIET = {"NO_MKDOCS_2_WARNING": "1"}

_BAKED: dict[str, Bake] = {}


def generated(case_id: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate a combination once per test process."""
    return baked_once(_BAKED, case_id, CASES[case_id], tmp_path_factory)


def _project_yaml_reader() -> types.ModuleType:
    """The generated projects' one YAML reader (tools/cfn_yaml.py), loaded from the template: it reads
    mkdocs.yml's `!!python/name:` tags as names and serverless.yml's short tags as their long form."""
    path = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "tools" / "cfn_yaml.py"
    spec = importlib.util.spec_from_file_location("template_cfn_yaml", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


YAML = _project_yaml_reader()


def mkdocs_config(root: Path) -> dict[str, Any]:
    """The site's mkdocs.yml."""
    config: dict[str, Any] = YAML.load_file(root / "mkdocs.yml")
    return config


def nav_pages(nav: Any) -> list[str]:
    """Every page the nav names, in order (sections are walked)."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for entry in nav for page in nav_pages(entry)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    raise AssertionError(f"unexpected nav entry {nav!r}")


def docs_pages(root: Path, config: dict[str, Any]) -> set[str]:
    """Every Markdown page under the site's docs folder, less those it keeps out of the nav on purpose."""
    docs = root / config.get("docs_dir", "docs")
    kept_out = {line.strip().lstrip("/") for line in config.get("not_in_nav", "").splitlines() if line.strip()}
    return {path.relative_to(docs).as_posix() for path in docs.rglob("*.md")} - kept_out


@pytest.mark.parametrize("case_id", ["template", DEFAULT, LEAN] + [case_id for case_id, _ in HOSTILE])
def test_every_docs_page_is_in_the_nav_and_every_nav_entry_is_a_page(
    case_id: str, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = TEMPLATE_DIR if case_id == "template" else generated(case_id, tmp_path_factory)
    config = mkdocs_config(root)
    pages = nav_pages(config["nav"])
    assert len(pages) == len(set(pages)), f"a page is in the nav twice: {pages}"
    assert set(pages) == docs_pages(root, config), "mkdocs.yml's nav and the docs folder differ"
    if case_id != "template":
        # The project's name reaches the site's title whatever characters it has.
        assert config["site_name"] == CASES[case_id].get("project_name", "Casino Backend")


# --- Building the sites -------------------------------------------------------------------------


class Links(HTMLParser):
    """The href of every link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def broken_links(site: Path) -> tuple[int, list[str]]:
    """Follow every link between the site's own pages: how many there are, and those with no target."""
    count, broken = 0, []
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        url = "/" + page.relative_to(site).as_posix()
        for href in parser.hrefs:
            target = urlsplit(urljoin(url, href))
            if target.scheme or target.netloc or href.startswith("#"):
                continue  # another site (the theme's own link to its maker), or a place on this page
            count += 1
            path = site / target.path.lstrip("/")
            if not (path.is_file() or (path / "index.html").is_file()):
                broken.append(f"{url} -> {href}")
    return count, broken


def build_template_site(site: Path) -> float:
    """`mkdocs build --strict` of the template's docs into `site`; returns the seconds it took."""
    started = time.monotonic()
    run([PYTHON, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)], TEMPLATE_DIR, env=QUIET)
    return time.monotonic() - started


def build_project_site(project: Path) -> float:
    """The generated project's `make docs` (Mermaid fetched, pinned, then a strict build) into its site/."""
    started = time.monotonic()
    run(["make", "docs", f"PYTHON={PYTHON}"], project)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The template's site and the default project's, built once for the browser test."""
    template_site = tmp_path_factory.mktemp("template-site") / "site"
    build_template_site(template_site)
    project = generated(DEFAULT, tmp_path_factory)
    build_project_site(project)
    return {"template": template_site, DEFAULT: project / "site"}


@pytest.mark.parametrize("case_id", ["template", DEFAULT, LEAN])
def test_the_site_builds_strictly_with_no_broken_link(case_id: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    if case_id == "template":
        site = tmp_path_factory.mktemp("template-strict") / "site"
        seconds = build_template_site(site)
    else:
        project = generated(case_id, tmp_path_factory)
        seconds = build_project_site(project)
        site = project / "site"
        assert (site / "assets/javascripts/mermaid.min.js").stat().st_size > 1_000_000
    count, broken = broken_links(site)
    pages = len(list(site.rglob("*.html")))
    print(f"\n{case_id}: built in {seconds:.1f} s, {pages} pages, {count} links between them, {len(broken)} broken")
    assert broken == []
    assert count > pages  # every page links at least to the others through the nav


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    copy = tmp_path / "template"
    copy.mkdir()
    shutil.copy(TEMPLATE_DIR / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copytree(TEMPLATE_DIR / "docs", copy / "docs")
    with (copy / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the croupier's guide](croupier.md) and [the rules](02-options.md#no-such-rule).\n")
    result = subprocess.run([PYTHON, "-m", "mkdocs", "build", "--strict"], cwd=copy, capture_output=True,
                            text=True, check=False, timeout=120, env={**QUIET, "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "croupier.md" in result.stderr and "no-such-rule" in result.stderr, result.stderr


# --- The sites in a browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through Debian's chromedriver (nothing downloaded), with its console log kept."""
    from selenium import webdriver

    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    assert not missing, (f"{missing} missing: apt-get install chromium chromium-driver (.ci/run does it), "
                         "or name them in DOCS_CHROMIUM and DOCS_CHROMEDRIVER")
    profile = tempfile.mkdtemp(prefix="docs-browser-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Any]:
    """Serve a folder on 127.0.0.1 (a free port) for the browser; returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def mermaid_source(architecture: str) -> str:
    """The Mermaid diagram of a generated docs/architecture.md."""
    match = re.search(r"^```mermaid\n(.*?)^```$", architecture, re.MULTILINE | re.DOTALL)
    assert match, "docs/architecture.md has no mermaid block"
    return match.group(1)


def page_url(base: str, href: str) -> str:
    """The page a link opens: no fragment, and a folder's address as its index.html."""
    url = urljoin(base, href).split("#")[0]
    return url + "index.html" if url.endswith("/") else url


def walk_site(driver: Any, base: str) -> tuple[list[str], list[str]]:
    """Open the home page, then every page its nav links to: the pages seen, and the console's errors."""
    from selenium.webdriver.common.by import By

    driver.get(base)
    nav = driver.find_elements(By.CSS_SELECTOR, "nav.md-nav--primary a.md-nav__link[href]")
    urls = list(dict.fromkeys(page_url(base, link.get_attribute("href")) for link in nav))
    assert len(urls) > 3, f"the home page's nav has {urls}"
    seen, errors = [], []
    for url in urls:
        driver.get(url)
        heading = driver.find_elements(By.CSS_SELECTOR, "article.md-content__inner h1")
        assert heading and heading[0].text.strip(), f"{url} shows no page heading"
        active = driver.find_elements(By.CSS_SELECTOR, "nav.md-nav--primary a.md-nav__link--active")
        assert {page_url(url, a.get_attribute("href")) for a in active} == {url}, (
            f"the nav does not mark {url} as the page shown")
        seen.append(url)
        errors += [f"{url}: {entry['message']}" for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return seen, errors


def test_the_sites_work_in_headless_chromium(sites: dict[str, Path], browser: Any, serve: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.monotonic()
    template_pages, template_errors = walk_site(browser, serve(sites["template"]))
    assert len(template_pages) == len(nav_pages(mkdocs_config(TEMPLATE_DIR)["nav"]))
    project_root = sites[DEFAULT].parent
    base = serve(sites[DEFAULT])
    project_pages, project_errors = walk_site(browser, base)
    assert len(project_pages) == len(nav_pages(mkdocs_config(project_root)["nav"]))

    # The architecture diagram: the theme swaps each Mermaid block for a drawing once Mermaid ran, and
    # Mermaid itself (the pinned copy the page loaded) parses the source without an error.
    browser.get(urljoin(base, "architecture.html"))
    WebDriverWait(browser, 30).until(
        lambda driver: not driver.find_elements(By.CSS_SELECTOR, "pre.mermaid")
        and driver.find_elements(By.CSS_SELECTOR, "div.mermaid"))
    drawing = browser.find_element(By.CSS_SELECTOR, "div.mermaid")
    assert drawing.size["height"] > 200 and drawing.size["width"] > 200, drawing.size
    source = mermaid_source((project_root / "docs" / "architecture.md").read_text(encoding="utf-8"))
    verdict = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "mermaid.parse(arguments[0]).then(() => done('ok'), error => done(String(error)));", source)
    assert verdict == "ok"
    project_errors += [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]

    seconds = time.monotonic() - started
    print(f"\nbrowser: {len(template_pages)} template pages and {len(project_pages)} project pages "
          f"in {seconds:.1f} s, console errors: {len(template_errors) + len(project_errors)}")
    assert template_errors + project_errors == []


# --- The architecture diagram against the stack ---------------------------------------------------

# The diagram's node ids say what each node is (docs/architecture.md): these three are the stack's
# functions, queues and tables; the others draw what is not one of them.
STACK_KINDS = {"fn": "function", "q": "AWS::SQS::Queue", "tbl": "AWS::DynamoDB::Table"}
OTHER_KINDS = {"ext", "sch", "bkt"}
QUOTED = re.compile(r'"[^"]*"')
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def diagram_nodes(source: str) -> dict[str, set[str]]:
    """The diagram's functions, queues and tables by kind; fails on a node of no known kind."""
    nodes: dict[str, set[str]] = {kind: set() for kind in STACK_KINDS.values()}
    for line in source.splitlines()[1:]:  # the first line is the diagram's type
        words = line.split()
        if not words or words[0] == "end":
            continue
        if words[0] == "subgraph":  # a module's box: its id is not a node
            continue
        for node in IDENTIFIER.findall(QUOTED.sub("", line)):
            prefix, _, name = node.partition("_")
            if node == "bus" or (prefix in OTHER_KINDS and name):
                continue
            assert prefix in STACK_KINDS and name, f"node {node!r} has no known kind: {line.strip()}"
            nodes[STACK_KINDS[prefix]].add(name)
    return nodes


def stack_nodes(serverless_yml: str) -> dict[str, set[str]]:
    """The functions, queues and tables of a generated serverless.yml."""
    stack = YAML.load(serverless_yml)
    resources = stack["resources"]["Resources"]
    nodes = {"function": set(stack["functions"])}
    for kind in ("AWS::SQS::Queue", "AWS::DynamoDB::Table"):
        nodes[kind] = {name for name, resource in resources.items() if resource.get("Type") == kind}
    return nodes


@pytest.mark.parametrize("case_id", [case_id for case_id, _ in SUPPORTED])
def test_the_diagram_draws_every_function_queue_and_table_of_the_stack_and_nothing_else(
    case_id: str, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project = generated(case_id, tmp_path_factory)
    drawn = diagram_nodes(mermaid_source((project / "docs" / "architecture.md").read_text(encoding="utf-8")))
    deployed = stack_nodes((project / "serverless.yml").read_text(encoding="utf-8"))
    for kind, names in deployed.items():
        assert names, f"the stack of {case_id} has no {kind}: the comparison would prove nothing"
        assert drawn[kind] == names, (
            f"{kind}: missing from the diagram {sorted(names - drawn[kind])}, "
            f"not in serverless.yml {sorted(drawn[kind] - names)}")
    print(f"\n{case_id}: " + ", ".join(f"{len(names)} {kind}" for kind, names in deployed.items()))


def test_the_diagram_check_catches_a_missing_queue_an_extra_table_and_an_unknown_node() -> None:
    source = ('flowchart LR\n  q_BetsQueue>"BetsQueue"] --> fn_bets("bets")\n'
              '  fn_bets --> tbl_JackpotTable[("JackpotTable")]\n')
    stack = ("functions:\n  bets: {}\nresources:\n  Resources:\n"
             "    BetsQueue: {Type: AWS::SQS::Queue}\n    BetsDeadLetterQueue: {Type: AWS::SQS::Queue}\n")
    drawn, deployed = diagram_nodes(source), stack_nodes(stack)
    assert deployed["AWS::SQS::Queue"] - drawn["AWS::SQS::Queue"] == {"BetsDeadLetterQueue"}
    assert drawn["AWS::DynamoDB::Table"] - deployed["AWS::DynamoDB::Table"] == {"JackpotTable"}
    with pytest.raises(AssertionError, match="no known kind"):
        diagram_nodes(source + "  fn_bets --> cache_Hot\n")


def test_the_browser_check_sees_a_console_error(browser: Any, serve: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>probe</title><script src="no-such-script.js"></script>'
        '<script>console.error("the wheel jammed")</script>', encoding="utf-8")
    browser.get(serve(tmp_path))
    messages = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert any("no-such-script.js" in message for message in messages), messages
    assert any("the wheel jammed" in message for message in messages), messages
