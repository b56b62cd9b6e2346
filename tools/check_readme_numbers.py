"""Every figure the README quotes from nbs/results/*.json, recomputed from the JSON and looked up in the README.

    python tools/check_readme_numbers.py      # exit 1 and a list of the figures that disagree or are missing

Each claim below names its JSON file, how the figure follows from it, and the exact text the README must contain.
A figure changed in a JSON (a rerun) or in the README (an edit) without the other fails the check, as does a
figure dropped from the README, and so does a two-decimal percentage in the README that no claim covers (each
occurrence counts: a figure quoted twice needs both places claimed)."""

import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dmnet.dynamic_task import paired_difference, t_quantile  # noqa: E402


def load(name):
    return json.loads((ROOT / 'nbs/results' / name).read_text())


def pct(x):
    return f'{100 * x:.2f} %'


def thousands(n):
    return f'{n:,}'


def shipped_claims():
    run = load('camvid_cpu_run.json')
    session, val = run['sessions'][-1], pct(run['history'][-1]['mIoU'])
    its = thousands(session['iterations'])
    yield 'table row', f"| {its} ({session['train_minutes']:.1f} min) | – (0006R0 is in its training frames) | {val} |"
    yield 'quick start', f'{its} iterations, {val}'
    yield 'eval reproduces', f'reproduces its {val}'


def heldout_claims():
    runs = {'heldout': load('camvid_heldout.json')['runs']['heldout'], 'fp32': load('camvid_fp32.json')['runs']['fp32']}
    for key, r in runs.items():
        held, val = pct(r['heldout_0006R0']['mIoU']), pct(r['val_0016E5']['mIoU'])
        held = f'**{held}**' if key == 'heldout' else held
        yield f'{key} table row', f"| {thousands(r['iterations'])} ({r['train_minutes']:.1f} min) | {held} | {val} |"
    r = runs['heldout']
    held, val = pct(r['heldout_0006R0']['mIoU']), pct(r['val_0016E5']['mIoU'])
    yield 'held-out prose', f'{val} on val and {held} on the unseen drive'
    for cls in ('Tree', 'Fence', 'Bicyclist', 'Pavement'):
        v, h = r['val_0016E5']['IoU'][cls], r['heldout_0006R0']['IoU'][cls]
        yield f'{cls} val → held-out', f'{cls} {100 * v:.0f} → {100 * h:.0f}'


def rerun_claims():
    r = load('camvid_cpu_rerun.json')
    yield 'rerun iterations', f"{thousands(r['iterations'])} iterations in {r['train_minutes']:.1f} minutes"
    yield 'rerun metrics', f"mIoU={100 * r['mIoU']:.2f} aAcc={100 * r['aAcc']:.2f} mAcc={100 * r['mAcc']:.2f}"


def ablation_claims():
    g = load('camvid_ablation_gpu.json')
    plain, static, dmnet = g['arms']
    by = {arm: {} for arm in g['arms']}
    for r in g['runs'].values():
        by[r['arm']][r['seed']] = 100 * r['heldout_0006R0']['mIoU']
    seeds = sorted(set.intersection(*(set(v) for v in by.values())))
    acc = {arm: [by[arm][s] for s in seeds] for arm in by}
    mean = {arm: sum(v) / len(v) for arm, v in acc.items()}
    means = f'DMNet {mean[dmnet]:.2f} %, static DCMs {mean[static]:.2f} %, plain head {mean[plain]:.2f} %'
    yield 'ablation means', means
    d = paired_difference(acc[dmnet], acc[static])
    yield 'DMNet − static', f"**{d['mean']:+.2f} ± {d['se']:.2f}** points"
    yield 'DMNet − static, t and wins', f"t = {d['t']:.1f}, DMNet ahead in {d['wins']} of {d['n']} seeds"
    yield 'DMNet − static, detectable', f"effect of {d['detectable']:.2f} points (DMNet against static)"
    d2 = paired_difference(acc[dmnet], acc[plain])
    yield 'DMNet − plain', f"DMNet − plain {d2['mean']:+.2f} ± {d2['se']:.2f}"
    yield 'DMNet − plain, detectable', f"or {d2['detectable']:.2f} (against the plain head)"
    d3 = paired_difference(acc[static], acc[plain])
    yield 'static − plain', f"static − plain {d3['mean']:+.2f} ± {d3['se']:.2f}".replace('-', '−')


def intervention_claims():
    res = load('camvid_interventions.json')['results']
    yield 'as trained', f"As trained: {pct(res['as trained']['mIoU'])}"
    yield 'mean filters', f"dataset-mean filters: {pct(res['dataset-mean filters']['mIoU'])}"
    other = res["another image's filters"]['mIoU']
    yield "another image's", f"another frame's filters: {pct(other)}"
    for k in (1, 3, 5, 7):
        silenced = res[f'k={k} silenced']['mIoU']
        yield f'k = {k} silenced', f'{pct(silenced)} ($k={k}$)'


def speed_claims():
    s = load('cpu_speed.json')
    inf = {r['variant']: r for r in s['inference']}
    yield 'plain inference', f"takes {inf['plain']['median_s']:.2f} s"
    yield 'fast fp32', f"{inf['fast fp32']['median_s']:.2f} s ({inf['fast fp32']['ratio']:.2f}×)"
    yield 'fast bf16', f"{inf['fast bf16']['median_s']:.2f} s ({inf['fast bf16']['ratio']:.2f}×)"
    amp = {r['amp']: r['mIoU'] for r in s['precision']}
    yield 'bf16 mIoU', f"val mIoU from {amp['off']:.2f} % to {amp['bf16']:.2f} %"
    ours, ref = load('pipeline_dmnet.json'), load('pipeline_reference.json')
    medians = f"{ours['img_s']:.0f} ADE20K samples per second on one thread, mmsegmentation 1.2.2's {ref['img_s']:.0f}"
    yield 'pipeline medians', medians
    ranges = [f"{min(r['runs']):.0f}–{max(r['runs']):.0f}" for r in (ours, ref)]
    yield 'pipeline range', f'{ranges[0]} for dmnet\'s and {ranges[1]}'


def dynamic_task_claims():
    t = load('dynamic_task.json')['tasks']
    for task in ('relative', 'absolute'):
        d = t[task]['paired']['dynamic − static']
        yield f'{task} task, dynamic − static', f"{task} task: {d['mean']:+.2f} ± {d['se']:.2f}".replace('-', '−')
    acc = {arm: sum(v) / len(v) for arm, v in t['relative']['accuracy'].items()}
    d = t['relative']['paired']['dynamic − static']
    yield (
        'relative task means',
        f"({acc['dynamic']:.2f} % against {acc['static']:.2f} %, ahead on {d['wins']} of {d['n']} seeds)",
    )
    i = load('dynamic_task.json')['interventions']
    yield 'toy interventions', f"falls from {i['as trained']:.2f} % to {i['mean filters']:.2f} %"
    yield 'toy swapped filters', f"opposite exposure, to {i['filters of an opposite-exposure image']:.2f} %"
    yield (
        'absolute task detectable',
        f"would have detected {t['absolute']['paired']['dynamic − static']['detectable']:.2f}",
    )


def heldout_seeds_row(runs: dict) -> str:
    "The README row of the held-out seeds: mean ± SE single-scale, with --tta, and on val."
    rs = list(runs.values())

    def stat(key):
        v = [100 * r[key]['mIoU'] for r in rs]
        m = sum(v) / len(v)
        se = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1) / len(v))
        return f'{m:.2f} ± {se:.2f} %'

    its = sorted(r['iterations'] for r in rs)
    mins = sorted(r['train_minutes'] for r in rs)
    return (
        f'| same recipe without 0006R0, bf16, {len(rs)} seeds (mean ± SE) | 266 frames of 0001TP + 0016E5 | '
        f'{its[0]:,}–{its[-1]:,} ({mins[0]:.1f}–{mins[-1]:.1f} min) | {stat("heldout_0006R0")} single-scale, '
        f'{stat("heldout_0006R0_tta")} with `--tta` | {stat("val_0016E5")} |'
    )


def heldout_seeds_claims():
    yield 'held-out seeds row', heldout_seeds_row(load('camvid_heldout_seeds.json')['runs'])


def recipe_search_table(sr: dict) -> tuple[dict, list]:
    "(candidate, weights or average) → held-out mIoU (%) per seed; the seeds, which every candidate must share."
    named = {f"r-{k.split()[0]}": k for k in sr['candidates']}
    by = {}
    for r in sr['runs'].values():
        prefix, seed = r['name'].rsplit('-s', 1)
        by.setdefault((named[prefix], 'weights'), {})[int(seed)] = 100 * r['heldout_0006R0']['mIoU']
        for d, m in r['heldout_0006R0_ema'].items():
            by.setdefault((named[prefix], f'average {d}'), {})[int(seed)] = 100 * m['mIoU']
    seeds = sorted(by[('recipe', 'weights')])
    if any(sorted(v) != seeds for v in by.values()):
        raise SystemExit('camvid_recipe_seeds.json: the candidates ran with different seeds')
    return {k: [v[s] for s in seeds] for k, v in by.items()}, seeds


def recipe_search_claims():
    table, seeds = recipe_search_table(load('camvid_recipe_seeds.json'))
    base = table[('recipe', 'weights')]
    m = sum(base) / len(base)
    se = math.sqrt(sum((x - m) ** 2 for x in base) / (len(base) - 1) / len(base))
    yield 'search recipe', f'the recipe scores {m:.2f} ± {se:.2f} % ({len(seeds)} seeds'
    quoted = {
        ('warm-up 200', 'weights'): 'warm-up',
        ('batch-4 lr 0.05, 2x iterations', 'weights'): 'batch 4',
        ('recipe', 'average 0.99'): 'decay 0.99',
        ('recipe', 'average 0.995'): 'decay 0.995',
        ('recipe', 'average 0.998'): 'decay 0.998',
    }
    for key, name in quoted.items():
        d = paired_difference(table[key], base)
        yield f'search {name}', f"{name} " + f"{d['mean']:+.2f} ± {d['se']:.2f}".replace('-', '−')
    k = 2 + t_quantile(0.8, len(seeds) - 1)  # the true gain the 2-SE rule adopts four times out of five, in SEs
    warm, b4 = (
        paired_difference(table[(c, 'weights')], base)['se'] * k
        for c in ('warm-up 200', 'batch-4 lr 0.05, 2x iterations')
    )
    yield 'search detectable', f'only from about {warm:.2f} points for the warm-up and {b4:.2f} for batch 4'
    cost = load('camvid_recipe_seeds.json')['cost']
    more = cost['batch 4, twice the iterations']['seconds'] / cost['recipe']['seconds'] - 1
    yield 'search batch-4 cost', f'{100 * more:.0f} % more time for the same images'


CLAIMS = (
    shipped_claims,
    heldout_claims,
    heldout_seeds_claims,
    rerun_claims,
    ablation_claims,
    intervention_claims,
    speed_claims,
    dynamic_task_claims,
    recipe_search_claims,
)


# Two-decimal percentages in the README that come from elsewhere: sssegmentation's published table.
NOT_FROM_RESULTS = {'45.53 %'}


def uncovered(readme: str, texts: list[str]) -> list[str]:
    "Each two-decimal percentage of the README that lies in no claimed text (with its context)."
    covered = [False] * len(readme)
    for text in texts:
        start = readme.find(text)
        while start >= 0:
            covered[start : start + len(text)] = [True] * len(text)
            start = readme.find(text, start + 1)
    out = []
    for m in re.finditer(r'\d+\.\d\d %', readme):
        if not all(covered[m.start() : m.end()]) and m.group() not in NOT_FROM_RESULTS:
            out.append(f'unchecked figure {m.group()!r} in "…{readme[max(0, m.start() - 60) : m.end() + 10]}…"')
    return out


def main() -> int:
    readme = ' '.join((ROOT / 'README.md').read_text().split())  # line breaks do not matter
    bad, texts = [], []
    for group in CLAIMS:
        for name, text in group():
            texts.append(' '.join(text.split()))
            if texts[-1] not in readme:
                bad.append(f'{group.__name__}: {name}: README lacks {text!r}')
    bad += uncovered(readme, texts)
    for line in bad:
        print(line)
    print(f'README figures from nbs/results: {len(texts)} claims checked, {len(bad)} problems')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
