"""Does the shipped CamVid model use its dynamic filters? Interventions on its generated filters, no training.

    python tools/camvid_interventions.py

Scores data/checkpoints/camvid-cpu.pth on CamVid val (fp32, whole images) as trained, with every image given the
dataset-mean filters, with image i given the filters of image i + n/2, and with one filter size silenced at a time
(`dmnet.inference.filter_interventions`), and measures how far each image's filters lie from the mean
(`filter_spread`). Writes nbs/results/camvid_interventions.json, which nbs/20_train_camvid.ipynb draws."""

import platform
import sys
import time
from pathlib import Path

import torch

from dmnet.config import build_dataset, class_names
from dmnet.convert import load_pretrained
from dmnet.inference import filter_bank, filter_interventions, filter_spread
from dmnet.runtime import write_json

ROOT = Path(__file__).resolve().parent.parent


def main():
    torch.set_num_threads(2)
    model = load_pretrained(ROOT / 'data/checkpoints/camvid-cpu.pth')
    ds = build_dataset(model.preset, 'val', ROOT / 'data', train=False)
    t0 = time.time()
    results = filter_interventions(model, ds, model.preset.num_classes)
    spread = filter_spread(filter_bank(model, ds, len(ds)))
    write_json(
        ROOT / 'nbs/results/camvid_interventions.json',
        {
            'what': 'the shipped camvid-cpu model on CamVid val (101 frames of drive 0016E5), fp32, whole images, '
            'with its generated filters intervened on (no training)',
            'checkpoint': 'data/checkpoints/camvid-cpu.pth',
            'classes': list(class_names(model.preset)),
            'results': results,
            'filter_spread': {str(k): v for k, v in spread.items()},
            'seconds': round(time.time() - t0, 1),
            'machine': f'{platform.machine()}, {torch.get_num_threads()} torch threads',
            'torch': torch.__version__,
            'python': platform.python_version(),
            'command': 'python ' + ' '.join(sys.argv),
        },
    )
    for name, r in results.items():
        print(f"{name:26s} mIoU {100 * r['mIoU']:.2f}")
    print('filter spread (RMS distance from the mean / size of the mean):', spread)


if __name__ == '__main__':
    main()
