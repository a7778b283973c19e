"""The import graph runs one way: web -> domains -> base, with no cycle between domains.

Read from the source (every import, module level or inside a function), so a shortcut
taken anywhere fails here before it tangles the packages.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "storefront"

WEB = {"shop", "admin", "api", "web", "web_converters", "app", "cli"}
BASE = {
    "extensions", "database", "clock", "money", "errors", "files", "signing", "ids", "i18n",
    "jsonout", "csvout", "links", "label", "models",
}  # fmt: skip
# What each domain may import besides the base: orders never imports a mechanic, and
# two mechanics (delivery, preorders, editions, mail) never import each other, except
# that mail's outbox is a service every domain may write to.
DOMAINS: dict[str, set[str]] = {
    "catalog": set(),
    "accounts": {"fans"},  # one sign-in session names a staff account or a fan
    "orders": {"catalog"},
    "mail": {"orders", "catalog"},
    "payments": {"orders", "catalog"},
    "delivery": {"orders", "catalog"},
    "preorders": {"orders", "catalog", "mail", "payments"},
    "editions": {"orders", "catalog", "mail", "payments"},
    "inserts": {"orders", "catalog", "editions", "preorders"},
    "discounts": {"orders", "catalog"},
    "quests": {"discounts", "orders", "catalog", "mail"},
    "stand": {"orders", "catalog", "quests", "payments", "inventory"},
    # A fan's account reads what their verified email already holds (orders, passports,
    # cards, downloads, rewards); members and the newsletter build on fans, never back.
    "fans": {"orders", "catalog", "quests", "editions", "delivery", "preorders", "mail"},
    "members": {
        "fans",
        "orders",
        "catalog",
        "payments",
        "mail",
        "preorders",
        "delivery",
        "discounts",
    },
    "newsletter": {"fans", "members", "orders", "catalog", "preorders", "quests", "mail"},
    "crm": {"fans", "members", "newsletter", "orders", "catalog", "quests", "editions"},
    # The label's operations: each reads the sales domains, never the other way round.
    "audit": set(),
    "inventory": {"catalog", "orders", "mail", "accounts", "waitlist"},
    "waitlist": {"orders", "catalog", "mail"},  # who waits for units that come back
    "fulfilment": {
        "orders",
        "catalog",
        "payments",
        "mail",
        "inventory",
        "editions",
        "inserts",
        "preorders",
        "delivery",
    },
    "channels": {"catalog", "orders", "inventory"},
    "budgets": {"catalog", "orders", "preorders"},
    "kpis": {
        "orders",
        "catalog",
        "fulfilment",
        "inventory",
        "budgets",
        "newsletter",
        "channels",
        "preorders",
        "stand",
        "fans",
    },
    "ritual": {
        "orders",
        "catalog",
        "fulfilment",
        "inventory",
        "budgets",
        "newsletter",
        "channels",
        "preorders",
        "stand",
        "fans",
        "kpis",
        "payments",
        "mail",
        "crm",
        "audit",
        "accounts",
    },
    "demo": {
        "catalog",
        "orders",
        "payments",
        "preorders",
        "editions",
        "inserts",
        "mail",
        "quests",
        "discounts",
        "stand",
        "fans",
        "members",
        "newsletter",
        "inventory",
        "fulfilment",
        "channels",
        "budgets",
        "kpis",
    },  # the demo tells every domain's story
}


def _imported(path: Path) -> set[str]:
    """The storefront sub-packages or modules `path` imports (first name after storefront)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
            if node.module == "storefront":
                modules = [f"storefront.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "storefront" and len(parts) > 1:
                names.add(parts[1])
    return names


def _owner(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "translations" not in path.parts:
            yield path


def test_domains_import_only_what_they_may():
    wrong = set()
    for path in _sources():
        owner = _owner(path)
        if owner in WEB or owner in BASE or owner == "__init__":
            continue
        allowed = DOMAINS[owner] | BASE | {owner}
        wrong |= {(str(path.relative_to(ROOT)), name) for name in _imported(path) - allowed}
    assert wrong == set()


def test_the_base_imports_no_domain_and_nothing_imports_the_web_but_the_web():
    wrong = []
    for path in _sources():
        owner = _owner(path)
        if owner == "__init__":
            continue  # the package's door: `create_app` builds the app when called
        imported = _imported(path)
        if owner in BASE and owner != "models":
            wrong += [f"{path.relative_to(ROOT)} imports {n}" for n in imported - BASE]
        if owner not in WEB:
            wrong += [f"{path.relative_to(ROOT)} imports {n}" for n in imported & WEB]
    assert wrong == []


def test_every_package_is_placed_in_a_layer():
    packages = {_owner(path) for path in _sources()} - {"__init__"}
    assert packages <= WEB | BASE | set(DOMAINS)


def test_domains_form_no_cycle():
    graph = {domain: allowed - {domain} for domain, allowed in DOMAINS.items()}
    seen: dict[str, int] = {}

    def visit(node: str, trail: tuple[str, ...]) -> None:
        assert node not in trail, f"cycle: {' -> '.join((*trail, node))}"
        for target in graph.get(node, ()):
            visit(target, (*trail, node))
        seen[node] = 1

    for domain in graph:
        visit(domain, ())


@pytest.mark.parametrize(
    "module",
    [
        "storefront",
        "storefront.editions.draw",
        "storefront.orders.states",
        "storefront.orders.fans",
    ],
)
def test_importing_pure_modules_loads_no_flask(module):
    code = f"import sys, {module}; sys.exit('flask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
