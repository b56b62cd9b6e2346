"""Write README.md from nbs/index.ipynb without Quarto: markdown cells as they are, code cells (except `#| hide`)
as Python blocks with their saved text outputs. Usage: python tools/readme.py [--check]"""

import json
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent


def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    parts = []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        lines = src.splitlines()
        directives = [line.strip() for line in lines if line.strip().startswith('#|')]
        if cell['cell_type'] == 'markdown':
            parts.append(src.strip())
            continue
        if any(d.split()[1:2] in (['hide'], ['export'], ['exporti'], ['default_exp']) for d in directives):
            continue
        code = '\n'.join(line for line in lines if not line.strip().startswith('#|')).strip()
        if code:
            parts.append(f'```python\n{code}\n```')
        outs = []
        for o in cell.get('outputs', []):
            if o.get('output_type') == 'stream' and o.get('name') == 'stdout':
                outs.append(''.join(o['text']))
            elif 'data' in o and 'text/plain' in o['data']:
                outs.append(''.join(o['data']['text/plain']))
        if outs:
            parts.append('```\n' + '\n'.join(s.rstrip('\n') for s in outs) + '\n```')
    head = '<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file -->\n\n'
    return head + '\n\n'.join(parts) + '\n'


if __name__ == '__main__':
    text = render(root / 'nbs' / 'index.ipynb')
    readme = root / 'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text(encoding='utf-8') != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `make readme` (python tools/readme.py)')
        print('README.md is up to date')
    else:
        readme.write_text(text, encoding='utf-8')
        print(f'wrote {readme}')
