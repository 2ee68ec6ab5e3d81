"""What a package imports, read from its source with `ast`: every import statement, at module level or
inside a function (a lazy import hides a dependency, it does not remove it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(package: str) -> list[tuple[str, int, str]]:
    """(file, line, imported module) for every import in the package's files (migrations included)."""
    found = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        module = _module_name(path)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".")
                    base = base[: len(base) - node.level + (1 if is_package else 0)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                # `from . import x` may import a submodule: count both the package and package.x.
                names = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
            else:
                continue
            found += [(str(path.relative_to(ROOT)), node.lineno, name) for name in names]
    return found


def wrong_way(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted({f"{file}:{line} imports {name}" for file, line, name in imports_of(package)
                   if any(name == top or name.startswith(top + ".") for top in forbidden)})
