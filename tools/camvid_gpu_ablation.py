"""The head ablation of nbs/20_train_camvid.ipynb on a GPU: plain 3×3 head, static-filter DCMs and DMNet, paired by
seed, each run the `camvid-heldout` recipe (trained without drive 0006R0, evaluated on it) for a fixed number of
iterations. Runs go side by side on one GPU; each finished run is added to the result file at once, so a run cut
short by a deadline loses only the runs still going.

    python tools/camvid_gpu_ablation.py --out nbs/results/camvid_ablation_gpu.json [--seeds 12] [--first-seed 0]
        [--iters 3000] [--parallel 12] [--limit 560] [--device cuda] [--preset camvid-heldout] [overrides ...]

Seeds are started in order, the three arms of a seed together, so the pairs that finish are complete. A run is
started only while it can be expected to end within `--limit` seconds (judged from the runs already finished); at
the limit the runs still going are stopped and listed as unfinished.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARMS = {'plain 3×3 head': ['filter_sizes='], 'static DCMs (1,3,5,7)': ['dynamic_filters=false'], 'DMNet (1,3,5,7)': []}


def machine() -> dict:
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        'machine': f'{platform.machine()}, {os.cpu_count()} CPU cores',
        'gpu': gpu,
        'torch': torch.__version__,
        'python': platform.python_version(),
    }


def command(a, name: str, arm: list[str], seed: int) -> list[str]:
    overrides = [*arm, f'seed={seed}', f'max_iters={a.iters}', 'val_interval=0', *a.overrides]
    return [
        sys.executable,
        '-m',
        'dmnet.cli',
        '--preset',
        a.preset,
        '--out',
        f'runs/gpu-ablation/{name}',
        '--device',
        a.device,
        '--threads',
        '1',
        '--overwrite',
        *overrides,
    ]


def result(name: str, cmd: list[str], seconds: float) -> dict:
    run = ROOT / 'runs' / 'gpu-ablation' / name
    m = json.loads((run / 'metrics.json').read_text())
    session = json.loads((run / 'run.json').read_text())['sessions'][-1]
    keep = {k: m[k] for k in ('mIoU', 'aAcc', 'mAcc', 'IoU')}
    return {
        'command': ' '.join(['dmnet_train', *cmd[3:]]),
        'seconds': round(seconds, 1),
        'iterations': session['iterations'],
        'precision': session['precision'],
        'heldout_0006R0': keep,
    }


def save(path: Path, data: dict):
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(json.dumps(data, indent=1) + '\n')
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--preset', default='camvid-heldout')
    ap.add_argument('--seeds', type=int, default=12)
    ap.add_argument('--first-seed', type=int, default=0)
    ap.add_argument('--iters', type=int, default=3000)
    ap.add_argument('--parallel', type=int, default=12)
    ap.add_argument('--limit', type=float, default=560, help='seconds for the whole batch')
    ap.add_argument('--device', default='cuda')
    ap.add_argument('overrides', nargs='*')
    a = ap.parse_args()
    out = Path(a.out)
    data = {
        'what': f'{a.preset}: {a.iters} iterations per run, arms paired by seed, evaluated on its validation frames',
        **machine(),
        'arms': list(ARMS),
        'iterations_each': a.iters,
        'runs': {},
        'unfinished': [],
    }
    seeds = range(a.first_seed, a.first_seed + a.seeds)
    todo = [(f's{s}-{i}', arm, s, k) for s in seeds for i, (k, arm) in enumerate(ARMS.items())]
    going, t_start, took = {}, time.time(), []
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'}

    def fits() -> bool:
        return not took or time.time() - t_start + 1.15 * max(took) < a.limit

    while todo or going:
        while todo and len(going) < a.parallel and fits():
            name, arm, seed, label = todo.pop(0)
            cmd = command(a, name, arm, seed)
            log = open(ROOT / 'runs' / f'gpu-ablation-{name}.log', 'w')
            going[name] = (
                subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
                cmd,
                time.time(),
                seed,
                label,
            )
        if time.time() - t_start >= a.limit:
            for name, (p, *_) in going.items():
                p.terminate()
                data['unfinished'].append(name)
            data['unfinished'] += [n for n, *_ in todo]
            todo, going = [], {}
            save(out, data)
            break
        if todo and not going and not fits():
            data['unfinished'] += [n for n, *_ in todo]
            todo = []
        for name in [n for n, (p, *_) in going.items() if p.poll() is not None]:
            p, cmd, t0, seed, label = going.pop(name)
            if p.returncode == 0:
                took.append(time.time() - t0)
                data['runs'][name] = {'arm': label, 'seed': seed, **result(name, cmd, time.time() - t0)}
                print(
                    f"{name} {label} seed {seed}: {100 * data['runs'][name]['heldout_0006R0']['mIoU']:.2f}", flush=True
                )
            else:
                data['unfinished'].append(name)
                print(f'{name} failed with exit code {p.returncode}', flush=True)
            data['wall_seconds'] = round(time.time() - t_start, 1)
            save(out, data)
        time.sleep(1)
    data['wall_seconds'] = round(time.time() - t_start, 1)
    save(out, data)


if __name__ == '__main__':
    (ROOT / 'runs').mkdir(exist_ok=True)
    main()
