"""The shape of the code (issue 14): small modules, no import loops, click only in directory/commands/.

Read from the source with `ast`, never by importing it, so every import statement counts: at module
level and inside functions alike.
"""

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "directory"
MAX_LINES = 400
COMMANDS_PACKAGE = "directory.commands"
CLI_LIBRARIES = ("click", "flask.cli")  # flask.cli is click's Flask layer


def modules(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Every module under the package, by dotted name; a package is named by its __init__.py."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported_names(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The dotted names a module imports, relative imports resolved against its own package.

    `from pkg import x` names `pkg.x` when x is a submodule and `pkg` (its __init__) when x is a name
    defined there. The parent packages Python runs on the way to a module are not counted: they are
    not what the statement asks for, and every module would otherwise import directory/__init__.py.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                names.add(submodule if submodule in known else base)
    return names


def import_graph(known: dict[str, Path]) -> dict[str, set[str]]:
    """Each module to the modules among `known` it imports."""
    return {
        name: {target for target in imported_names(name, path, known) if target in known and target != name}
        for name, path in known.items()
    }


def tangles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that reach each other through imports (strongly connected, Tarjan)."""
    order, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return sorted(groups)


def shortest_loop(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """One shortest import loop through the group's first module, start and end included."""
    start, members = group[0], set(group)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(graph[path[-1]] & members):
            if target == start:
                return path + [start]
            if target not in seen:
                seen.add(target)
                paths.append(path + [target])
    raise AssertionError(f"{group} is not a loop")


def test_no_module_is_over_400_lines():
    too_long = {
        str(path.relative_to(PACKAGE_DIR.parent)): length
        for path in modules().values()
        if (length := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: " + ", ".join(
        f"{path} ({length})" for path, length in sorted(too_long.items(), key=lambda item: -item[1])
    )


def test_no_modules_import_each_other():
    graph = import_graph(modules())
    loops = [
        " -> ".join(shortest_loop(graph, group))
        + (f"  (one of {len(group)} modules in a tangle)" if len(group) > 2 else "")
        for group in tangles(graph)
    ]
    assert not loops, "import loops:\n" + "\n".join(loops)


def test_only_the_commands_package_imports_click():
    known = modules()
    importers = sorted(
        f"{name} ({', '.join(sorted(found))})"
        for name, path in known.items()
        if not (name == COMMANDS_PACKAGE or name.startswith(COMMANDS_PACKAGE + "."))
        and (
            found := {
                target
                for target in imported_names(name, path, known)
                if any(target == lib or target.startswith(lib + ".") for lib in CLI_LIBRARIES)
            }
        )
    )
    assert not importers, "click imported outside directory/commands/: " + "; ".join(importers)


def test_the_import_reader_resolves_relative_and_package_imports(tmp_path):
    # The checks above are only as good as this reading, so pin it on a small made-up package.
    files = {
        "directory/__init__.py": "def create():\n    from .area import views\n",
        "directory/area/__init__.py": "bp = object()\n",
        "directory/area/views.py": "from . import bp, forms\nfrom ..area.forms import Form\n",
        "directory/area/forms.py": "import directory.tools\n\n\ndef f():\n    from .. import create\n",
        "directory/tools.py": "from directory.area import forms as _forms\nfrom directory import *\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)

    graph = import_graph(modules(tmp_path / "directory"))

    assert graph == {
        "directory": {"directory.area.views"},
        "directory.area": set(),
        "directory.area.views": {"directory.area", "directory.area.forms"},
        "directory.area.forms": {"directory.tools", "directory"},
        "directory.tools": {"directory.area.forms", "directory"},
    }
    assert tangles(graph) == [
        ["directory", "directory.area.forms", "directory.area.views", "directory.tools"]
    ]
    assert shortest_loop(graph, tangles(graph)[0]) == [
        "directory",
        "directory.area.views",
        "directory.area.forms",
        "directory",
    ]
