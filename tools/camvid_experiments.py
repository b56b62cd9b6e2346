"""The CamVid experiments behind nbs/20_train_camvid.ipynb, as runs of the project's own commands.

    python tools/camvid_experiments.py screen    recipe candidates on the held-out sequence (15-minute budgets, pairs)
    python tools/camvid_experiments.py heldout   the chosen recipe, 30-minute budget, trained without sequence 0006R0
    python tools/camvid_experiments.py heldout-seeds [SEED ...]   the same, one run per seed (default 0 1 2), + --tta
    python tools/camvid_experiments.py fp32      the held-out run forced to fp32, 30-minute budget (the laptop path)
    python tools/camvid_experiments.py ablation  heads x 5 seeds, a shorter fixed schedule, on the held-out sequence
    python tools/camvid_experiments.py search [SEED ...]   recipe candidates x seeds (default 0-3) at a fixed
                                                 number of iterations, each run keeping moving averages of its weights
    python tools/camvid_experiments.py search-cost   the candidates' cost for the same images (2 threads, alone)

Each run is `dmnet_train` into runs/experiments/<name> (CPU, one thread per run, two runs side by side for `screen` and
`ablation`, two threads alone for `heldout` and `fp32`); it validates on the held-out sequence at its end, and, except
in the ablation, `dmnet_eval` of its last checkpoint adds the val split (the sequence it shares with training). The
results, with the commands, machine and versions, go to nbs/results/camvid_<what>.json, which
the notebook reads. Runs that already have a result in that file are skipped, so an interrupted batch resumes."""

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RUNS, RESULTS = ROOT / 'runs' / 'experiments', ROOT / 'nbs' / 'results'


def SCALE(f):
    return [
        f'base_scale={int(240 * f)},{int(180 * f)}',
        f'crop_size={int(180 * f)},{int(240 * f)}',
        f'eval_crop={int(180 * f)},{int(240 * f)}',
        f'eval_stride={int(120 * f)},{int(160 * f)}',
    ]


# overrides relative to the camvid-heldout preset (which holds the search's result, class_balance=0.5)
SCREEN = {
    'base': ['class_balance=0'],
    'cb05': ['class_balance=0.5'],
    'cb10': ['class_balance=1.0'],
    'res15': ['class_balance=0'] + SCALE(1.5),
    'res15-cb05': SCALE(1.5) + ['class_balance=0.5'],
    'res125-cb05': SCALE(1.25) + ['class_balance=0.5'],
    'w075-cb05': ['width=0.75', 'channels=96', 'aux_channels=96', 'class_balance=0.5'],
    'cb05-lr005': ['class_balance=0.5', 'lr=0.05'],
}
HEADS = {
    'plain 3×3 head': ['filter_sizes='],
    'DCM k=1': ['filter_sizes=1'],
    'DCM k=3': ['filter_sizes=3'],
    'DCM k=5': ['filter_sizes=5'],
    'DCM k=7': ['filter_sizes=7'],
    'DMNet (1,3,5,7)': [],
    'static DCMs (1,3,5,7)': ['dynamic_filters=false'],
}
ABLATION_ITERS, SEEDS = 400, range(5)
# the seeded search: a fixed number of iterations (search-cost measures what each candidate's runs cost); every run
# keeps the same moving averages of its weights (candidates too, scored from the same runs); batch 4 at half the
# learning rate takes twice the iterations: the same images
SEARCH = {
    'recipe': [],
    'warm-up 200': ['warmup_iters=200'],
    'batch-4 lr 0.05, 2x iterations': ['batch_size=4', 'lr=0.05', 'max_iters=4000'],
}
SEARCH_ITERS, SEARCH_EMA = 2000, 'ema=0.99,0.995,0.998'


def env(threads: int) -> dict:
    return {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': str(threads), 'MKL_NUM_THREADS': str(threads)}


def machine() -> dict:
    import torch

    return {
        'machine': f'{platform.machine()}, {os.cpu_count()} CPU cores',
        'torch': torch.__version__,
        'python': platform.python_version(),
    }


def train_args(name, preset, overrides, threads, extra):
    return [
        '--preset',
        preset,
        '--out',
        str((RUNS / name).relative_to(ROOT)),
        '--device',
        'cpu',
        '--threads',
        str(threads),
        '--workers',
        '1',
        '--overwrite',
        *extra,
        *overrides,
    ]


def command(name, preset, overrides, threads, extra) -> str:
    "The dmnet_train command line of a job, as its run.json records it."
    return 'dmnet_train ' + ' '.join(train_args(name, preset, overrides, threads, extra))


def start(name, preset, overrides, threads, extra):
    (RUNS / name).mkdir(parents=True, exist_ok=True)
    args = train_args(name, preset, overrides, threads, extra)
    with open(RUNS / name / 'train.log', 'w') as log:  # the child keeps its own copy of the file
        p = subprocess.Popen(
            [PY, '-c', 'from dmnet.cli import train_cli; train_cli()', *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env(threads),
            cwd=ROOT,
        )
    return p, time.time(), command(name, preset, overrides, threads, extra)


def finished(name, cmd):
    """(None, None, `cmd`) for a run of exactly `cmd` whose training ended but whose result is not recorded yet; None
    otherwise (a folder trained by another command is trained again)."""
    record = RUNS / name / 'run.json'
    if not record.is_file() or not (RUNS / name / 'metrics.json').is_file():
        return None
    last = json.loads(record.read_text())['sessions'][-1]
    if last.get('status') != 'done':
        return None
    if last['command'] != cmd:
        print(f'{name}: the finished run there was trained by another command ({last["command"]}): training again')
        return None
    return None, None, cmd


def evaluate(run: Path, overrides: list, extra: list, threads: int = 1) -> None:
    "dmnet_eval of a run's last checkpoint (its eval_*.json lands in the run folder)."
    ev = subprocess.run(
        [
            PY,
            '-c',
            'from dmnet.cli import eval_cli; eval_cli()',
            '--checkpoint',
            str(run / 'last.pth'),
            '--out',
            str(run),
            '--threads',
            str(threads),
            *extra,
            *overrides,
        ],
        capture_output=True,
        text=True,
        env=env(threads),
    )
    if ev.returncode != 0:
        raise SystemExit(f'evaluation of {run.name} failed: {ev.stderr[-2000:]}')


def heldout_tta(run: Path) -> dict:
    "Multi-scale + flip mIoU of a run's last checkpoint on its preset's own validation frames (here: 0006R0)."
    evaluate(run, [], ['--tta'], threads=2)  # dmnet_eval's default --split: the frames the preset validates on
    return json.loads((run / 'eval_train-0006R0_whole_tta.json').read_text())


def finish(name, preset, overrides, p, t0, command, with_val=True, tta=False) -> dict:
    if p is not None:
        p.wait()
    wall = time.time() - t0 if p is not None else None  # None: trained before this batch started (`reused`)
    run = RUNS / name
    if p is not None and p.returncode != 0:
        raise SystemExit(f'{name} failed (exit {p.returncode}): see {run / "train.log"}')
    held = json.loads((run / 'metrics.json').read_text())
    sessions = json.loads((run / 'run.json').read_text())['sessions']

    def pick(m):
        return {'mIoU': m['mIoU'], 'aAcc': m['aAcc'], 'mAcc': m['mAcc'], 'IoU': m['IoU']}

    res = {
        'name': name,
        'preset': preset,
        'overrides': overrides,
        'command': command,
        'wall_seconds': None if wall is None else round(wall, 1),
        'reused': wall is None,
        **{k: sessions[-1][k] for k in ('machine', 'torch', 'python')},  # the machine that trained it
        'iterations': sessions[-1]['iterations'],
        'train_minutes': sessions[-1]['train_minutes'],
        'precision': sessions[-1]['precision'],
        'heldout_0006R0': pick(held),
    }
    if 'ema' in held:  # the moving averages of the weights, scored on the same frames
        res['heldout_0006R0_ema'] = {d: pick(m) for d, m in held['ema'].items()}
    if tta:  # multi-scale + flip on the held-out drive (the preset's own validation frames)
        res['heldout_0006R0_tta'] = pick(heldout_tta(run))
    if not with_val:
        return res
    evaluate(run, [*overrides, 'val_split=val', 'val_sequences='], [])
    return {**res, 'val_0016E5': pick(json.loads((run / 'eval_val_whole.json').read_text()))}


def run_batch(
    what: str,
    jobs: list,
    parallel: int,
    threads: int,
    extra: list,
    note: str,
    with_val: bool = True,
    meta: dict | None = None,
    tta: bool = False,
):
    out = RESULTS / f'camvid_{what}.json'
    data = json.loads(out.read_text()) if out.is_file() else {'runs': {}}
    names = [j[0] for j in jobs]
    if len(set(names)) != len(names):
        raise SystemExit(f'two jobs share a run name: {sorted(n for n in set(names) if names.count(n) > 1)}')
    for k, v in {'what': note, **machine()}.items():
        data.setdefault(k, v)  # the file's first batch describes it; every run records its own machine
    data.update(meta or {})  # a batch may add candidates
    todo = [j for j in jobs if j[0] not in data['runs']]
    for i in range(0, len(todo), parallel):
        group = [
            (
                name,
                preset,
                ov,
                *(finished(name, command(name, preset, ov, threads, extra)) or start(name, preset, ov, threads, extra)),
            )
            for name, preset, ov in todo[i : i + parallel]
        ]
        for name, preset, ov, p, t0, cmd in group:
            data['runs'][name] = finish(name, preset, ov, p, t0, cmd, with_val, tta)
            r = data['runs'][name]
            print(f"{name}: {r['iterations']} it, held-out {100 * r['heldout_0006R0']['mIoU']:.2f}", flush=True)
            out.write_text(json.dumps(data, indent=1))


COST_ITERS = 300
COST_RUNS = {  # name → overrides: the same images for each (batch 4 takes twice the iterations)
    'recipe': [f'max_iters={COST_ITERS}'],
    'recipe keeping the averages': [f'max_iters={COST_ITERS}', SEARCH_EMA],
    'batch 4, twice the iterations': [f'max_iters={2 * COST_ITERS}', 'batch_size=4', 'lr=0.05'],
}


def search_cost() -> dict:
    "Training seconds for the same images, per candidate (two threads, one run at a time, checkpoints included)."
    cost = {}
    for i, (name, ov) in enumerate(COST_RUNS.items()):
        run = f'cost-{i}'
        p, _, cmd = start(run, 'camvid-heldout', ov, 2, ['--no-eval'])
        if p.wait() != 0:
            raise SystemExit(f'{run} failed: see {RUNS / run / "train.log"}')
        session = json.loads((RUNS / run / 'run.json').read_text())['sessions'][-1]
        cost[name] = {'iterations': session['iterations'], 'seconds': round(60 * session['train_minutes'], 1)}
        cost[name]['command'] = cmd
    return cost


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else ''
    if what == 'screen':
        run_batch(
            'recipe_search',
            [(f's-{k}', 'camvid-heldout', v) for k, v in SCREEN.items()],
            2,
            1,
            ['--time-budget', '15m'],
            'recipe candidates, trained on 0001TP+0016E5 train frames with a 15-minute budget each, two runs side by '
            'side '
            '(one thread each) on the 2-core CPU; held-out = the 101 frames of sequence 0006R0',
        )
    elif what == 'heldout':
        ov = sys.argv[2:]
        run_batch(
            'heldout',
            [('heldout', 'camvid-heldout', ov)],
            1,
            2,
            ['--time-budget', '30m'],
            'the shipped recipe with a 30-minute budget on two threads, trained without sequence 0006R0 (266 frames)',
        )
    elif what == 'heldout-seeds':
        seeds = [int(a) for a in sys.argv[2:]] or [0, 1, 2]
        run_batch(
            'heldout_seeds',
            [(f'heldout-s{s}', 'camvid-heldout', [f'seed={s}']) for s in seeds],
            1,
            2,
            ['--time-budget', '30m'],
            'the shipped recipe (camvid-heldout: all train frames but sequence 0006R0, 266) with a 30-minute budget on '
            'two threads, one seed per run; held-out = the 101 frames of 0006R0, single-scale and with the multi-scale '
            '+ flip test (--tta); val = the 101 val frames of 0016E5 (a sequence shared with training)',
            tta=True,
        )
    elif what == 'fp32':
        run_batch(
            'fp32',
            [('fp32', 'camvid-heldout', ['amp=off'])],
            1,
            2,
            ['--time-budget', '30m'],
            'the held-out run forced to fp32 (the path of CPUs without native bf16), 30-minute budget, two threads',
        )
    elif what == 'ablation':
        jobs = [
            (f'a-{i}-s{s}', 'camvid-heldout', [*ov, f'seed={s}', f'max_iters={ABLATION_ITERS}', 'val_interval=0'])
            for s in SEEDS
            for i, ov in enumerate(HEADS.values())
        ]
        run_batch(
            'ablation',
            jobs,
            2,
            1,
            [],
            f'heads x 5 seeds, {ABLATION_ITERS} iterations each (a shorter schedule than the '
            f'30-minute run, to fit 35 runs on the CPU), two runs side by side, one thread each; '
            'held-out = sequence 0006R0; '
            f'variants: '
            + '; '.join(f'{i}: {k} ({" ".join(v) or "as the recipe"})' for i, (k, v) in enumerate(HEADS.items())),
            with_val=False,
            meta={'variants': list(HEADS), 'iterations_each': ABLATION_ITERS, 'seeds': list(SEEDS)},
        )
    elif what == 'search':

        def iters(ov):
            "The search's length unless the candidate sets its own."
            return [] if any(o.startswith('max_iters=') for o in ov) else [f'max_iters={SEARCH_ITERS}']

        seeds = [int(a) for a in sys.argv[2:]] or [0, 1, 2, 3]
        jobs = [
            (f'r-{k.split()[0]}-s{s}', 'camvid-heldout', [f'seed={s}', *iters(ov), SEARCH_EMA, *ov])
            for s in seeds
            for k, ov in SEARCH.items()
        ]
        run_batch(
            'recipe_seeds',
            jobs,
            2,
            1,
            [],
            f'recipe candidates x seeds on camvid-heldout (all train frames but sequence 0006R0, 266), '
            f'{SEARCH_ITERS} iterations each unless a candidate sets max_iters, two runs side by side (one thread, one '
            'data worker each) on the 2-core '
            f'CPU; every run keeps moving averages of its weights ({SEARCH_EMA}), scored on the same frames; '
            'held-out = the 101 frames of 0006R0; val = the 101 val frames of 0016E5 (a sequence shared with training; '
            'the weights only). Candidates: '
            + '; '.join(f'{k}: {" ".join(v) or "as the recipe"}' for k, v in SEARCH.items()),
            meta={'candidates': SEARCH, 'iterations_each': SEARCH_ITERS, 'ema': SEARCH_EMA},
        )
    elif what == 'search-cost':
        out = RESULTS / 'camvid_recipe_seeds.json'
        data = json.loads(out.read_text())
        from dmnet.config import get_preset

        images = get_preset('camvid-heldout').batch_size * COST_ITERS
        note = f'training seconds for the same {images:,} images, one measurement each'
        note += ' (two threads, one run at a time, checkpoints and one validation included)'
        data['cost'] = {
            'what': note,
            **search_cost(),
        }
        out.write_text(json.dumps(data, indent=1))
        print(data['cost'])
    else:
        sys.exit(__doc__)
