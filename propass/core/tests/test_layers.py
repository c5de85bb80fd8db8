"""The application code has no import cycle, between apps or inside one: each module can be
read, and imported, after the ones it uses. (import-linter checks the order of the apps.)"""

import re
import tomllib
from pathlib import Path

import grimp


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph[node]:
                    groups.append(sorted(group))
    return groups


def _application_graph() -> dict[str, set[str]]:
    built = grimp.build_graph("propass", include_external_packages=False)
    modules = {
        module
        for module in built.modules
        if ".tests" not in module and ".migrations" not in module and module.startswith("propass.")
    }
    return {module: set(built.find_modules_directly_imported_by(module)) & modules for module in modules}


def test_the_cycle_finder_finds_a_cycle():
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_of_the_application_imports_itself_through_others():
    assert _strongly_connected(_application_graph()) == []


# Modules that talk to the outside (HTML, API, admin, URL maps, app configs); everything else in
# an app is domain code and must be named by the "Domain code never imports an interface" contract.
INTERFACE_NAMES = {
    "admin",
    "admin_site",
    "api",
    "apps",
    "context_processors",
    "forms",
    "middleware",
    "rest",
    "staff_admin",
    "views_loans",
    "views_two_factor",
    "urls",
    "views",
    "webhooks",
}
INTERFACE_PACKAGES = ("propass.api", "propass.backoffice", "propass.testing", "propass.formats")


def _pattern(expression: str) -> re.Pattern[str]:
    escaped = re.escape(expression).replace(r"\*\*", ".+").replace(r"\*", "[^.]+")
    return re.compile(f"^{escaped}$")


def test_every_domain_module_is_covered_by_the_interface_ban() -> None:
    config = tomllib.loads((Path(__file__).resolve().parents[3] / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "forbidden")
    sources = [_pattern(expression) for expression in contract["source_modules"]]
    graph = grimp.build_graph("propass")
    uncovered = []
    for module in sorted(graph.modules):
        parts = module.split(".")
        if len(parts) < 3 or module.startswith(INTERFACE_PACKAGES):
            continue  # the package itself, top-level modules (settings, urls) and interface packages
        if {"tests", "migrations", "management", "templatetags"} & set(parts):
            continue
        if parts[2] in INTERFACE_NAMES or parts[2].startswith("api_"):
            continue
        if not any(source.match(module) for source in sources):
            uncovered.append(module)
    assert uncovered == [], "add these domain modules to the forbidden contract's source_modules"
