"""Images per second of mmsegmentation's (or, with --dmnet, dmnet's) ADE20K training pipeline on one thread, on the
ADE20K samples.

For comparison with dmnet's `TrainPipeline` (notebook 07b_transforms); mmsegmentation is not a dependency of dmnet.
Needs mmsegmentation 1.2.2, mmengine, mmcv-lite 2.x and opencv-python-headless importable (for instance installed with
`pip install --target SITE ...` and passed as --site SITE). mmcv-lite has no compiled ops: a stub `mmcv.ops` module is
registered before mmseg is imported (the data transforms do not use them).

    python tools/bench_reference.py --site ~/.cache/dmnet-ref-site --out nbs/results/pipeline_reference.json
    python tools/bench_reference.py --dmnet --out nbs/results/pipeline_dmnet.json    # the same timing, dmnet's
"""

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADE = ROOT / 'data' / 'samples' / 'ADEChallengeData2016'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--site', default=None, help='folder holding mmseg, mmengine, mmcv (prepended to sys.path)')
    ap.add_argument('--n', type=int, default=60, help='images per timed run')
    ap.add_argument('--runs', type=int, default=5, help='timed runs (the median is reported)')
    ap.add_argument('--out', default=None, help='JSON file for the result')
    ap.add_argument('--dmnet', action='store_true', help="time dmnet's TrainPipeline (read + augment) instead")
    a = ap.parse_args(argv)
    if a.dmnet:
        return timed(a, *dmnet_pipeline())
    if a.site:
        sys.path.insert(0, str(Path(a.site).expanduser()))
    stub = types.ModuleType('mmcv.ops')
    stub.__getattr__ = lambda name: None  # names only, never called here
    sys.modules.setdefault('mmcv.ops', stub)
    import cv2
    import numpy as np
    import torch
    import mmseg
    from mmcv.transforms import Compose
    from mmseg.utils import register_all_modules

    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    register_all_modules()
    pipeline = Compose(
        [  # mmsegmentation 1.2.2, configs/_base_/datasets/ade20k.py, train_pipeline
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations', reduce_zero_label=True),
            dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
            dict(type='RandomCrop', crop_size=(512, 512), cat_max_ratio=0.75),
            dict(type='RandomFlip', prob=0.5),
            dict(type='PhotoMetricDistortion'),
            dict(type='PackSegInputs'),
        ]
    )
    items = [
        dict(
            img_path=str(p),
            seg_map_path=str(ADE / 'annotations' / 'validation' / f'{p.stem}.png'),
            reduce_zero_label=True,
            seg_fields=[],
        )
        for p in sorted((ADE / 'images' / 'validation').glob('*.jpg'))
    ]
    np.random.seed(0)
    return timed(
        a,
        lambda i: pipeline(dict(items[i % len(items)])),
        mmseg.__version__,
        cv2.__version__,
        "mmsegmentation's ADE20K train pipeline (LoadImageFromFile, LoadAnnotations(reduce_zero_label), "
        "RandomResize, RandomCrop(cat_max_ratio=0.75), RandomFlip, PhotoMetricDistortion, PackSegInputs)",
        'python tools/bench_reference.py --site SITE --out nbs/results/pipeline_reference.json',
    )


def dmnet_pipeline():
    import torch

    sys.path.insert(0, str(ROOT))
    import dmnet
    from dmnet.datasets import ADE20K
    from dmnet.transforms import train_pipeline

    torch.set_num_threads(1)
    torch.manual_seed(0)
    ds = ADE20K(ADE, 'val', transform=train_pipeline(ADE20K))
    return (
        lambda i: ds[i % len(ds)],
        dmnet.__version__,
        None,
        "dmnet's TrainPipeline on ADE20K items (read with torchvision's decoders, reduce_zero_label, random resize, "
        "cat_max_ratio crop, flip, photometric distortion, normalise, pad)",
        'python tools/bench_reference.py --dmnet --out nbs/results/pipeline_dmnet.json',
    )


def timed(a, run, version, opencv, what, command):
    run(0)
    rates = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        for i in range(a.n):
            run(i)
        rates.append(a.n / (time.perf_counter() - t0))
    res = {
        'what': what,
        'version': version,
        'opencv': opencv,
        'img_s': statistics.median(rates),
        'runs': rates,
        'threads': 1,
        'images': sorted(p.name for p in (ADE / 'images' / 'validation').glob('*.jpg')),
        'machine': platform.machine(),
        'python': platform.python_version(),
        'date': datetime.date.today().isoformat(),
        'command': command,
    }
    print(json.dumps(res, indent=1))
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=1) + '\n')


if __name__ == '__main__':
    main()
