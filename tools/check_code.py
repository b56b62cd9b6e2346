"""Size rules the formatter and the linter do not check, for the notebooks and the library they export.

    python tools/check_code.py          print every breach; exit 1 if there is one

- no line of dmnet/ over 120 bytes (the `__all__` lists that nbdev writes included: `make export` rewraps them);
- no function or method of dmnet/ whose body (docstring included) is over 40 lines;
- no code cell of a notebook over 60 lines;
- no notebook of 1 MB (10^6 bytes) or more, outputs included.
"""

import ast
import json
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
MAX_LINE, MAX_FUNCTION, MAX_CELL, MAX_NOTEBOOK = 120, 40, 60, 10**6


def long_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding='utf-8').splitlines()
    return [
        f'{path.relative_to(root)}:{i}: line of {len(line.encode())} bytes'
        for i, line in enumerate(lines, 1)
        if len(line.encode()) > MAX_LINE  # bytes: × and → count as the tools that read it count
    ]


def long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding='utf-8'))
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    sizes = [(f, f.end_lineno - f.body[0].lineno + 1) for f in funcs]
    where = path.relative_to(root)
    return [f'{where}:{f.lineno}: {f.name} has a body of {n} lines' for f, n in sizes if n > MAX_FUNCTION]


def long_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    sizes = [(i, len(''.join(c['source']).splitlines())) for i, c in enumerate(cells) if c['cell_type'] == 'code']
    return [f'{path.relative_to(root)}: cell {i} has {n} lines' for i, n in sizes if n > MAX_CELL]


def large_notebook(path: Path) -> list[str]:
    size = path.stat().st_size
    return [f'{path.relative_to(root)}: {size:,} bytes (at most {MAX_NOTEBOOK - 1:,})'] if size >= MAX_NOTEBOOK else []


def breaches() -> list[str]:
    modules = sorted(p for p in (root / 'dmnet').glob('*.py') if p.name != '_modidx.py')
    out = [b for p in modules for b in long_lines(p) + long_functions(p)]
    return out + [b for p in sorted((root / 'nbs').glob('*.ipynb')) for b in long_cells(p) + large_notebook(p)]


if __name__ == '__main__':
    found = breaches()
    print('\n'.join(found) if found else 'code sizes: every line, function and cell within its limit')
    sys.exit(1 if found else 0)
