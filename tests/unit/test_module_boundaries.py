"""A leading underscore means "this module's own": no other module imports it."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "storefront"


def private_imports(source: str) -> list[str]:
    """`module.name` for each `_name` imported from a storefront module in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if not (node.level or module == "storefront" or module.startswith("storefront.")):
            continue
        found += [f"{module}.{alias.name}" for alias in node.names if _is_private(alias.name)]
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_the_check_sees_a_private_import():
    source = "from storefront.admin.forms import AdminForm, _strip\nfrom .x import _y\n"
    assert private_imports(source) == ["storefront.admin.forms._strip", "x._y"]


def test_the_check_ignores_other_packages_and_gettext():
    source = "from flask_babel import gettext as _\nfrom os import _exit\n"
    assert private_imports(source) == []


def test_no_module_imports_another_modules_private_names():
    offenders = {
        str(path.relative_to(PACKAGE.parent)): names
        for path in sorted(PACKAGE.rglob("*.py"))
        if (names := private_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
