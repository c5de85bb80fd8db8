"""What every page a browser test visits must pass: no sideways scroll at phone width, no console
error (CSP violations included), no axe-core violation of impact serious or critical (WCAG 2.1
A/AA rules). axe-core comes from test-tools/ (npm, installed by `make deps-test`) and is evaluated
in the page by Playwright, which the page's CSP does not apply to; it is never served."""

from pathlib import Path
from weakref import WeakKeyDictionary

from playwright.sync_api import Page

TOOLS = Path(__file__).resolve().parents[2] / "test-tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_console: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()

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

    page.on("console", on_console)
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
