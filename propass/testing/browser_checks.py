"""What every page a browser test visits must pass: no sideways scroll at phone width, no console
error (CSP violations included), no axe-core violation of impact serious or critical (WCAG 2.1
A/AA rules), and the HTML the server sent valid for the W3C Nu checker (`html_validate`, once per
test over every page checked). axe-core and vnu-jar come from test-tools/ (npm, installed by
`make deps-test`); axe is evaluated in the page by Playwright, which the page's CSP does not apply
to; neither is ever served."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from weakref import WeakKeyDictionary

from playwright.sync_api import Page, Response

TOOLS = Path(__file__).resolve().parents[2] / "test-tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_console: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()
# The last document the server sent for the page's main frame, and the pages checked so far.
_document: WeakKeyDictionary[Page, Response] = WeakKeyDictionary()
_checked: WeakKeyDictionary[Page, dict[str, bytes]] = WeakKeyDictionary()

AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ` + v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", "));
}"""


def console_watch(page: Page) -> list[str]:
    """Record the console errors and uncaught exceptions of the page shown now: the list starts
    empty on each navigation of the main frame. Called by the `page` fixture."""
    errors: list[str] = []
    _console[page] = errors

    def on_console(message):
        if message.type == "error":
            errors.append(f"console: {message.text}")

    def on_navigated(frame):
        if frame == page.main_frame:
            errors.clear()

    def on_response(response):
        request = response.request
        if request.is_navigation_request() and request.frame == page.main_frame and response.status < 300:
            _document[page] = response

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("framenavigated", on_navigated)
    return errors


def page_check(page: Page) -> None:
    """Fail on what a person on this page would trip over: the page wider than the viewport,
    a console error or CSP violation, a serious or critical axe-core violation. Call it once the
    page shows what a person waits for."""
    page.wait_for_load_state("load")
    url = page.url
    scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{url} scrolls sideways: {scroll} px of content in {client} px"
    errors = _console.get(page, [])
    assert errors == [], f"{url}: {errors}"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    violations = page.evaluate(AXE_RUN)
    assert violations == [], f"{url} at {client} px: " + "; ".join(violations)
    document = _document.get(page)
    if document is not None and document.url == url and "html" in document.headers.get("content-type", ""):
        _checked.setdefault(page, {})[url] = document.body()


def html_validate(page: Page) -> int:
    """Run the Nu HTML checker once over the documents of every page `page_check` saw in this
    page's life (the HTML the server sent, before any script) and fail on any error. Returns how
    many documents were checked, so that a journey can assert it checked what it walked."""
    documents = _checked.get(page, {})
    java = shutil.which("java")
    assert java, "java is missing: `make test` installs it"
    assert VNU.exists(), "vnu-jar is missing: `make test` installs it (test-tools/)"
    if not documents:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for n, (url, body) in enumerate(documents.items()):
            path = Path(folder) / f"{n:02d}.html"
            path.write_bytes(body)
            names[path.name] = url
        result = subprocess.run(
            [java, "-jar", str(VNU), "--errors-only", "--format", "json", *sorted(map(str, Path(folder).iterdir()))],
            capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{names.get(m['url'].rsplit('/', 1)[-1])}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert errors == [], "\n".join(errors)
    return len(documents)
