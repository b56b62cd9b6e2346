"""Wrap the `__all__` list that nbdev_export writes at the top of each dmnet/ module to 120 characters.

    python tools/wrap_all.py            rewrap in place (`make export` runs it after nbdev_export)
    python tools/wrap_all.py --check    exit 1 and name the modules it would change

nbdev wraps the list of names at 120 characters and only then puts `__all__ = ` in front of it, so its first line can
reach 130. This rewraps the same names, in the same order and nbdev's layout, with the prefix counted; it touches
nothing else and is idempotent, so `nbdev_export` followed by it leaves a committed dmnet/ unchanged.
"""

import ast
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, PREFIX = 120, '__all__ = '


def wrap_all(text: str) -> str:
    "`text` (a module) with its `__all__ = [...]` block rewrapped to WIDTH; unchanged when there is none."
    lines = text.split('\n')
    start = next((i for i, line in enumerate(lines) if line.startswith(PREFIX + '[')), None)
    if start is None:
        return text
    end = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith(']'))
    names = ast.literal_eval(' '.join(line.strip() for line in lines[start : end + 1])[len(PREFIX) :])
    indent = ' ' * (len(PREFIX) + 1)
    body = textwrap.wrap(str(names), WIDTH, initial_indent=PREFIX, subsequent_indent=indent, break_long_words=False)
    return '\n'.join(lines[:start] + body + lines[end + 1 :])


def main(check: bool) -> int:
    changed = []
    for path in sorted((ROOT / 'dmnet').glob('*.py')):
        text = path.read_text(encoding='utf-8')
        new = wrap_all(text)
        if new != text:
            changed.append(path.relative_to(ROOT))
            if not check:
                path.write_text(new, encoding='utf-8')
    if check and changed:
        print(f"__all__ wider than {WIDTH} characters in {', '.join(map(str, changed))}: run `make export`")
    return 1 if check and changed else 0


if __name__ == '__main__':
    sys.exit(main('--check' in sys.argv[1:]))
