"""The runtime's rooms depend one way (apps -> classroom -> engine -> audio), and no two modules import each
other, directly or round a loop: the layout the package docstring promises (device/__init__.py)."""

import ast
from pathlib import Path

DEVICE = Path(__file__).resolve().parent.parent / "device"
RANK = {"audio": 0, "engine": 1, "classroom": 2, "apps": 3}


def module_imports() -> dict[str, set[str]]:
    """saywell module -> the saywell modules it imports (at top level or inside functions)."""
    graph: dict[str, set[str]] = {}
    for path in DEVICE.rglob("*.py"):
        parts = path.relative_to(DEVICE).with_suffix("").parts
        name = ".".join(("saywell",) + parts).removesuffix(".__init__")
        package = name.rsplit(".", 1)[0] if path.name != "__init__.py" else name
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                if node.level:
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.startswith("saywell"):
                    deps.add(target)
                    deps.update(f"{target}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("saywell"))
        graph[name] = deps
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in RANK else None


def test_rooms_depend_one_way():
    wrong = [(m, d) for m, deps in module_imports().items() for d in deps
             if room(m) and room(d) and RANK[room(d)] > RANK[room(m)]]
    assert not wrong, f"imports against the room order apps -> classroom -> engine -> audio: {wrong}"
    assert len(module_imports()) >= 30  # the walk found the package


def test_no_import_cycles():
    graph = module_imports()
    graph = {m: {d for d in deps if not d.endswith("__init__") and d.count(".") > 1 or d == "saywell.errors"}
             for m, deps in graph.items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, path: list[str]) -> bool:
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                cycle.extend(path[path.index(d):] + [m, d] if d in path else [m, d])
                return True
            if not state.get(d) and visit(d, path + [m]):
                return True
        state[m] = 2
        return False

    assert not any(visit(m, []) for m in sorted(graph) if not state.get(m)), f"import cycle: {cycle}"
