"""The floor plan of `crm/services/` holds: packages per domain, imports only downwards, no cycle,
and no presentation or queue code in a service (`docs/architecture.md`)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "crm" / "services"
# Lowest first: a package may import the packages before it, never the ones after it.
LAYERS = ("platform", "accounts", "territory", "companies", "routing", "needs", "visits", "imports",
          "training", "plans", "events", "privacy", "indicators")
FORBIDDEN_IN_SERVICES = ("crm.blueprints", "crm.templating", "crm.demo", "jobs", "markupsafe")
FORBIDDEN_FLASK_NAMES = {"request", "url_for", "render_template", "render_template_string", "session"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, top_level_only: bool = False) -> list[tuple[str, list[str]]]:
    """(module, names) of each import; with `top_level_only`, only those run at import time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def service_files() -> list[Path]:
    return sorted(SERVICES.rglob("*.py"))


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["crm", "services"] else None


def test_services_live_in_packages_named_in_the_layers():
    top_level = sorted(p.name for p in SERVICES.glob("*.py"))
    assert top_level == ["__init__.py"]
    packages = sorted(p.name for p in SERVICES.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert packages == sorted(LAYERS)
    for package in packages:
        docstring = ast.get_docstring(ast.parse((SERVICES / package / "__init__.py").read_text()))
        assert docstring and "May import" in docstring, f"{package}/__init__.py must say what it may import"


@pytest.mark.parametrize("path", service_files(), ids=lambda p: str(p.relative_to(SERVICES)))
def test_a_service_imports_only_lower_rooms_and_no_presentation(path):
    own = package_of(module_name(path))
    allowed = set(LAYERS[:LAYERS.index(own) + 1]) if own else set()
    for module, names in imports_of(path):
        assert not module.startswith(FORBIDDEN_IN_SERVICES), f"{path.name} imports {module}"
        if module == "flask":
            assert not FORBIDDEN_FLASK_NAMES & set(names), f"{path.name} imports flask.{names}"
        other = package_of(module)
        if other is not None:
            assert other in allowed, f"{own} may not import {other} ({path.name}: {module})"


def test_no_import_cycle_between_modules():
    """Module-level imports of crm/ and jobs/ form no cycle (imports inside functions aside)."""
    files = [*sorted((ROOT / "crm").rglob("*.py")), *sorted((ROOT / "jobs").rglob("*.py"))]
    known = {module_name(path): path for path in files}
    graph = {}
    for name, path in known.items():
        targets = set()
        for module, names in imports_of(path, top_level_only=True):
            submodules = {f"{module}.{n}" for n in names} & known.keys()
            targets |= submodules if len(submodules) == len(names) > 0 else {module} & known.keys()
        targets.discard(name)
        graph[name] = targets
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that comes back to its start, or None (depth-first)."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None
