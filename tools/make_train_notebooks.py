"""Write nbs/21_train_voc.ipynb, 22_train_ade20k.ipynb and 23_train_cityscapes.ipynb from one template.

    python tools/make_train_notebooks.py           write the three notebooks (outputs of unchanged cells are kept)
    python tools/make_train_notebooks.py --check   exit 1 if a notebook's cells differ from what the template writes

The three notebooks differ only in the values of DATASETS below; edit the template here, run this script, then
execute the notebooks to refresh their outputs (`make train-notebooks` runs this script)."""

import json
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

DATASETS = {
    'voc': dict(
        file='21_train_voc.ipynb',
        title='PASCAL VOC 2012 (augmented)',
        short='VOC',
        schedule='60 epochs of 10,582 images, batch 16, 512×512 crops',
        samples='the bundled samples',
        about='PASCAL VOC 2012 with the SBD extra annotations ("aug"): 10,582 training images, 1,449 validation '
        'images, '
        '20 object classes and background, boundaries marked 255 (ignored). The published DMNet rows train 60 epochs '
        'at batch 16 on 512×512 crops and evaluate whole images on val.',
        layout='VOCdevkit/VOC2012/JPEGImages/<id>.jpg\n'
        'VOCdevkit/VOC2012/SegmentationClassAug/<id>.png    (made by dmnet_prepare voc-aug)\n'
        'VOCdevkit/VOC2012/ImageSets/SegmentationAug/train_aug.txt, ImageSets/Segmentation/val.txt',
        prepare='`dmnet_prepare voc-aug --sbd <benchmark_RELEASE/dataset>` converts the SBD `.mat` labels and writes '
        '`train_aug.txt` (it needs scipy to read them).',
        data_note='Validation images with their labels (the white boundary band is the ignore value), and pixels per '
        'class. In a smoke run the photos are stand-ins (the VOC samples ship labels only), the labels are real.',
        eval_note='Whole images, resized so that the short side is 512 (long side at most 2048), on the val split.',
        class_list="', '.join(f'{i} {c}' for i, c in enumerate(val.classes))",
        confusion_size='(12, 6)',
    ),
    'ade20k': dict(
        file='22_train_ade20k.ipynb',
        title='ADE20K',
        short='ADE20K',
        schedule='130 epochs of 20,210 images, batch 16, 512×512 crops',
        samples='the bundled samples',
        about='ADE20K (SceneParsing, ADEChallengeData2016): 20,210 training and 2,000 validation images, 150 '
        'classes. The '
        'label files count from 1, with 0 for "other": `reduce_zero_label` maps 0 to ignore and k to k − 1 '
        '([07a_datasets](07a_datasets.ipynb)). The published DMNet rows train 130 epochs at batch 16 on 512×512 crops.',
        layout='ADEChallengeData2016/images/{training,validation}/*.jpg\n'
        'ADEChallengeData2016/annotations/{training,validation}/*.png',
        prepare='The archive from the MIT Scene Parsing benchmark unpacks to this layout as it is.',
        data_note='Validation images with their labels, and pixels per class (150 classes: a long tail).',
        eval_note='Whole images, short side 512 (long side at most 2048), on the validation split.',
        class_list="', '.join(f'{i} {c}' for i, c in enumerate(val.classes))[:400] + ' …'",
        confusion_size='(16, 16)',
    ),
    'cityscapes': dict(
        file='23_train_cityscapes.ipynb',
        title='Cityscapes',
        short='Cityscapes',
        schedule='220 epochs of 2,975 images, batch 8, 512×1024 crops',
        samples='the bundled sample',
        about='Cityscapes fine annotations: 2,975 training and 500 validation images of 2048×1024, 19 evaluation '
        'classes '
        '(train ids; the other label ids are ignored). The published DMNet rows train 220 epochs at batch 8 on '
        '512×1024 crops and evaluate the full-resolution val images.',
        layout='cityscapes/leftImg8bit/{train,val}/<city>/<name>_leftImg8bit.png\n'
        'cityscapes/gtFine/{train,val}/<city>/<name>_gtFine_labelTrainIds.png   (made by dmnet_prepare cityscapes)',
        prepare='`dmnet_prepare cityscapes` writes the `labelTrainIds` files from the `labelIds` ones of the official '
        'archive.',
        data_note='Validation images with their labels, and pixels per class (the bundled sample is a single '
        'Frankfurt image).',
        eval_note='Whole images at 2048×1024 on the val split.',
        class_list="', '.join(f'{i} {c}' for i, c in enumerate(val.classes))",
        confusion_size='(12, 6)',
    ),
}

TEMPLATE = [
    (
        'md',
        '''# Training DMNet on {title}

> The published {short} schedule (R50/R101 × D8/D16, {schedule}) on a GPU, or a labelled smoke run on {samples}.''',
    ),
    (
        'md',
        '''{about}

**Two modes**, chosen in the parameters cell below. `MODE = 'full'` runs the published schedule of one row of the table
(`ROW`), when the whole dataset is under the data root (`$DMNET_DATA` or `data/`, layout below) and a GPU is present:
hours on one H100 (the timing section says how many). `MODE = 'smoke'`, the default, and always under `nbdev_test`, runs
the same cells on a **smoke configuration**: a few iterations of a tiny model on the official-layout samples in
`data/samples`, seconds on a CPU, which check that the cells work and measure nothing. Every output says which mode
produced it; the outputs kept in this notebook are from a smoke run (the full schedule has not been run for this project
yet). For scripts, `DMNET_MODE` and `DMNET_ROW` override the cell.

Expected layout under the data root:

```
{layout}
```
{prepare}''',
    ),
    (
        'code',
        '''# 'smoke': seconds on a CPU, measures nothing; 'full': the published schedule (dataset + GPU, hours)
MODE = 'smoke'
ROW = 'r50-d8'        # the row of the table a full run trains: 'r50-d8', 'r50-d16', 'r101-d8' or 'r101-d16'
MICRO_BATCH = None  # on a GPU too small for the whole batch: images per step (accumulation fills the rest)''',
        ['parameters'],
    ),
    (
        'code',
        '''import time
import torch, matplotlib.pyplot as plt
from dmnet.bench import step_time, gpu_step_rows, time_table, TIME_HEADERS
from dmnet.config import build_dataset, explain_preset, published_rows
from dmnet.core import model_summary, print_summary, count_parameters
from dmnet.tables import print_table
from dmnet.datasets import class_pixels
from dmnet.transforms import plot_class_pixels, show_batch
from dmnet.inference import show_predictions
from dmnet.learner import dmnet_learner, plot_history
from dmnet.metrics import format_results, plot_iou, plot_confusion
from dmnet.run_modes import setup_run
from matplotlib_inline.backend_inline import set_matplotlib_formats
set_matplotlib_formats('jpeg')                # photos: JPEG keeps the notebook small''',
    ),
    (
        'code',
        '''S = setup_run('{key}', MODE, ROW, micro_batch=MICRO_BATCH)
torch.manual_seed(0)
torch.set_num_threads(S.threads)
print(S.why); print(f'preset {{S.preset.name}}, data root {{S.data_root or "default"}}, run folder {{S.run_dir}}')''',
    ),
    (
        'md',
        '''## The data

{data_note}''',
    ),
    (
        'code',
        '''val = build_dataset(S.preset, S.preset.val_split, S.data_root, train=False)
n_show = min(4, len(val))
items = [val[i * max(1, len(val) // n_show)] for i in range(n_show)]
size = min(min(a.shape[-2:]) for a, _ in items)          # a common crop of the resized images, for one grid
show_batch(torch.stack([a[:, :size, :size] for a, _ in items]), torch.stack([b[:size, :size] for _, b in items]),
           val.palette, val.classes, ncols=4, title=f'{{S.tag}}{{len(val)}} {{S.preset.val_split}} images');''',
    ),
    (
        'code',
        '''print(f'{{len(val.classes)}} classes:', {class_list})
counts, ignored = class_pixels(val, S.stat_items)
present = f'{{(counts > 0).sum()}} of {{len(counts)}}'
print(f'labelled pixels: {{counts.sum():,}}, ignored: {{ignored:,}}, classes present: {{present}}')
n_labels = min(len(val), S.stat_items or len(val))
plot_class_pixels(counts, val.classes, val.palette, title=f'{{S.tag}}{{S.preset.val_split}}: {{n_labels}} labels');''',
    ),
    (
        'md',
        '''## The preset

The published row, in words (what the full run does), and what runs below:''',
    ),
    (
        'code',
        '''print_table(explain_preset(S.full))
print(f'\\n{{S.tag}}the configuration run below is {{S.preset.name}}' + ('' if S.is_full else ':'))
if not S.is_full: print_table(explain_preset(S.preset))''',
    ),
    (
        'md',
        '''The full model, layer by layer (shapes from a pass on the `meta` device: no memory, no time), with the decode
head's parameter count of the reference models ([reference_notes.md](reference_notes.md#parameter-counts)):''',
    ),
    (
        'code',
        '''with torch.device('meta'):
    m = S.full.model().train()
    rows = model_summary(m, torch.empty(2, 3, *S.full.crop_size), depth=1)
print_summary(rows)
head = count_parameters(m.decode_head)
print(f'{{count_parameters(m):,}} parameters with the auxiliary head, {{head:,}} in the DMNet head')''',
    ),
    (
        'md',
        '''## How long the full schedule takes

A training step of the published row's model at its crop size, measured here on the CPU for one image (random
data, no data loading; the CPU's time per image hardly depends on the batch, so it is scaled linearly to the
preset's batch), next to the same step measured on one H100 at the full batch with bf16 autocast
([12_bench](12_bench.ipynb), results in `nbs/results/gpu_bench_h100.json`), and on this machine's GPU if it has one.''',
    ),
    (
        'code',
        '''rows = [step_time(S.full, batch=1, repeats=1)]
if torch.cuda.is_available():
    try: rows.append(step_time(S.full, device='cuda', repeats=3, amp='bf16'))
    except torch.OutOfMemoryError:
        print(f'the full batch of {{S.full.batch_size}} does not fit on this GPU: set MICRO_BATCH')
print_table(time_table(rows + gpu_step_rows('{key}')), TIME_HEADERS)''',
    ),
    (
        'md',
        '''On the CPU the schedule is out of reach (the table says how far); on one H100 it is a matter of hours for the
GPU step alone (data loading is not counted: it needs enough CPU cores to keep up). A GPU with less memory than the
step needs (the peak is in `gpu_bench_h100.json`) can run the same batch with gradient accumulation: set
`MICRO_BATCH`.

## Training

`Learner` with live progress, a checkpoint every `ckpt_interval` iterations and validation every `val_interval`;
re-running the cell continues from `last.pth` in the run folder (`dmnet_train --preset {key}-r50-d8 --resume auto`
does the same from a shell, and `torchrun --nproc_per_node 8 -m dmnet.cli --preset ...` spreads the batch over
eight GPUs).''',
    ),
    (
        'code',
        '''L = dmnet_learner(
    S.preset, S.run_dir, S.data_root, micro_batch=S.micro_batch, progress_every=S.progress_every
)
if (S.run_dir / 'last.pth').is_file():
    L.load(S.run_dir / 'last.pth'); print(f'resumed from {{S.run_dir / "last.pth"}} at iteration {{L.it}}')
t0 = time.time(); status = L.fit()
print(f'{{S.tag}}{{status}}, {{L.it}} iterations in {{(time.time() - t0) / 60:.1f}} min')''',
    ),
    ('code', '''plot_history(S.run_dir / 'history.jsonl');'''),
    (
        'md',
        '''## Evaluation

{eval_note}''',
    ),
    (
        'code',
        '''cm = L.last_eval[1] if L.last_eval and L.last_eval[0] == L.it else L.evaluate()
res = cm.compute()
print(S.tag + '\\n' + format_results(res, list(val.classes)))''',
    ),
    (
        'code',
        '''fig, axes = plt.subplots(1, 2, figsize={confusion_size}, gridspec_kw={{'width_ratios': [1, 1.4]}})
plot_iou(res, list(val.classes), ax=axes[0], title=S.tag or None)
plot_confusion(cm, list(val.classes), ax=axes[1])
fig.tight_layout()''',
    ),
    ('code', '''show_predictions(L.model, val, indices=range(min(3, len(val))));'''),
    (
        'md',
        '''## Against the published numbers

sssegmentation's table for DMNet on {short} val (single-scale, ImageNet-pretrained ResNet-V1c backbones,
`docs/modelzoo/dmnet/README.md`). Our column holds a number only for a full run of that row by this notebook.''',
    ),
    (
        'code',
        '''ours = {{S.full.name: 100 * res['mIoU']}} if S.is_full else {{}}
print_table(published_rows('{key}', ours), ('preset', 'backbone', 'published mIoU (%)', 'ours (%)'))''',
    ),
    (
        'md',
        '''## Summary

* The {short} notebook runs end to end: data, preset, model, timing, training, evaluation, comparison.
* The full run needs the dataset under the data root and a GPU; the measured step times above put the schedule at
  the hours shown on one H100 (bf16), against the CPU estimate in the same table.
* Nothing in our column until a full run has been made: the smoke run only shows that every cell works.''',
    ),
]


def formatted(code: str) -> str:
    "A code cell as the project's formatter writes it in a notebook (ruff, with pyproject.toml's settings)."
    cell = {'cell_type': 'code', 'metadata': {}, 'execution_count': None, 'outputs': [], 'source': code}
    nb = {'cells': [cell], 'metadata': {'language_info': {'name': 'python'}}, 'nbformat': 4, 'nbformat_minor': 5}
    args = ['--stdin-filename', str(root / 'nbs' / 'cell.ipynb'), '-']
    fixed = subprocess.run(
        [sys.executable, '-m', 'ruff', 'check', '--fix', '--quiet', '--select', 'E401,F541', *args],
        input=json.dumps(nb),
        capture_output=True,
        text=True,
    ).stdout
    r = subprocess.run(
        [sys.executable, '-m', 'ruff', 'format', *args], input=fixed, capture_output=True, text=True, check=True
    )
    return ''.join(json.loads(r.stdout)['cells'][0]['source'])


def cells_for(key: str) -> list[dict]:
    vals = {**DATASETS[key], 'key': key}
    out = []
    for kind, src, *tags in TEMPLATE:
        text = src.format(**vals)
        if kind == 'code':
            text = formatted(text)
        meta = {'tags': tags[0]} if tags else {}
        cell = {'cell_type': 'markdown' if kind == 'md' else 'code', 'metadata': meta, 'source': text}
        if kind == 'code':
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    return out


def _src(cell) -> str:
    return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


def _key(cell) -> tuple:
    return (cell['cell_type'], _src(cell), tuple(cell.get('metadata', {}).get('tags', [])))


def _lines(text: str) -> list[str]:
    lines = text.split('\n')
    return [line + '\n' for line in lines[:-1]] + [lines[-1]]


def write(key: str):
    path = root / 'nbs' / DATASETS[key]['file']
    old = json.loads(path.read_text(encoding='utf-8')) if path.exists() else None
    kept = {_key(c): c for c in (old or {}).get('cells', [])}
    cells = []
    for i, c in enumerate(cells_for(key)):
        prev = kept.get(_key(c))
        if prev is not None and c['cell_type'] == 'code':
            c['outputs'] = prev.get('outputs', [])
        if prev is not None and 'id' in prev:
            c['id'] = prev['id']
        c['source'] = _lines(c['source'])
        cells.append(c)
    meta = (old or {}).get('metadata') or {
        'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}
    }
    nb = {'cells': cells, 'metadata': meta, 'nbformat': 4, 'nbformat_minor': 5}
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    print(f'wrote {path.relative_to(root)}')


def check(key: str) -> bool:
    path = root / 'nbs' / DATASETS[key]['file']
    if not path.exists():
        print(f'{path.relative_to(root)} is missing')
        return False
    have = [_key(c) for c in json.loads(path.read_text(encoding='utf-8'))['cells']]
    want = [_key(c) for c in cells_for(key)]
    if have != want:
        bad = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
        print(
            f'{path.relative_to(root)} differs from the template from cell {bad} on: '
            'run `python tools/make_train_notebooks.py`'
        )
        return False
    return True


if __name__ == '__main__':
    if '--check' in sys.argv:
        ok = all([check(k) for k in DATASETS])
        print('notebooks 21-23 match the template' if ok else 'notebooks 21-23 do not match the template')
        sys.exit(0 if ok else 1)
    for k in DATASETS:
        write(k)
