"""Record what mmsegmentation's own DMNet computes, as a fixture that dmnet's tests replay without mmsegmentation.

    REF_SITE=/path/to/site-packages python tools/mmseg_fixture.py     # writes nbs/fixtures/mmseg_dmnet_r18.pt

Needs mmsegmentation 1.2.2, mmengine 0.10.7 and mmcv-lite 2.1.0 importable (REF_SITE is put first on sys.path);
DMNet uses no compiled mmcv op, so a placeholder `mmcv.ops` module stands in for the compiled package. Builds
mmsegmentation's `EncoderDecoder` with `ResNetV1c` (depth 18, 8 stem/base channels, D8: strides 1,2,1,1 and
dilations 1,1,2,4, contracted), `DMHead` (filter sizes 1,3,5,7, 16 channels) and `FCNHead` (16 channels, weight
0.4), BatchNorm, no dropout (dropout draws random numbers that two libraries cannot share), 5 classes, its default
cross-entropy (mean over all pixels, `avg_non_ignore=False`). Then, on a fixed 2×3×48×48 input with labels that
include the ignore value 255, it records: the weights, the eval-mode logits (`encode_decode`), the two losses of
`model.loss`, the gradients of a few tensors, and the eval-mode logits after one SGD step (lr 0.01, momentum 0.9,
weight decay 5e-4, as mmsegmentation's `SGD` optimizer builds it). The file is plain tensors and numbers
(loadable with `torch.load(..., weights_only=True)`); `nbs/09b_convert.ipynb` checks dmnet against it."""

import logging
import os
import sys
import types
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / 'nbs/fixtures/mmseg_dmnet_r18.pt'
GRAD_KEYS = (
    'backbone.stem.0.weight',
    'backbone.layer1.0.bn2.weight',
    'backbone.layer4.1.bn2.weight',
    'decode_head.dcm_modules.3.filter_gen_conv.weight',
    'decode_head.dcm_modules.2.input_redu_conv.conv.weight',
    'decode_head.bottleneck.conv.weight',
    'decode_head.conv_seg.weight',
    'auxiliary_head.convs.0.conv.weight',
)


def _stub_ops():
    "An `mmcv.ops` whose every name is a placeholder that fails if called (mmseg imports some ops it never runs here)."
    ops = types.ModuleType('mmcv.ops')

    def missing(name):
        if name.startswith('__'):
            raise AttributeError(name)

        def op(*args, **kwargs):
            raise RuntimeError(f'mmcv.ops.{name} is not installed (mmcv-lite has no compiled ops)')

        return op

    ops.__getattr__ = missing
    return ops


def import_mmseg():
    site = os.environ.get('REF_SITE', str(Path.home() / '.cache/dmnet-ref-site'))
    if not Path(site, 'mmseg').is_dir():
        raise SystemExit(f'mmsegmentation not found under REF_SITE={site}: install it there first (see the docstring)')
    sys.path.insert(0, site)
    sys.modules.setdefault('mmcv.ops', _stub_ops())
    import mmseg
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    register_all_modules()
    from mmengine.logging import MMLogger

    MMLogger.get_current_instance().setLevel(logging.WARNING)  # init_weights reports every tensor at INFO
    return mmseg.__version__, MODELS


def config(num_classes=5, channels=16):
    norm = dict(type='BN', requires_grad=True)
    loss = dict(type='CrossEntropyLoss', use_sigmoid=False)
    backbone = dict(
        type='ResNetV1c',
        depth=18,
        stem_channels=8,
        base_channels=8,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
    )
    head = dict(type='DMHead', in_channels=64, in_index=3, channels=channels, filter_sizes=(1, 3, 5, 7))
    head.update(fusion=False, dropout_ratio=0.0, num_classes=num_classes, norm_cfg=norm, align_corners=False)
    aux = dict(type='FCNHead', in_channels=32, in_index=2, channels=channels, num_convs=1, concat_input=False)
    aux.update(dropout_ratio=0.0, num_classes=num_classes, norm_cfg=norm, align_corners=False)
    head['loss_decode'] = dict(loss, loss_weight=1.0)
    aux['loss_decode'] = dict(loss, loss_weight=0.4)
    return dict(
        type='EncoderDecoder', backbone=backbone, decode_head=head, auxiliary_head=aux, test_cfg=dict(mode='whole')
    )


def inputs(num_classes=5, size=48):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, size, size, generator=g)
    y = torch.randint(0, num_classes, (2, size, size), generator=g)
    y[:, :8, :] = 255  # a band of ignored pixels
    return x, y


def samples(y):
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    out = []
    for t in y:
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=t[None].clone())
        s.set_metainfo(dict(img_shape=tuple(t.shape), pad_shape=tuple(t.shape), ori_shape=tuple(t.shape)))
        out.append(s)
    return out


def logits(model, x):
    model.eval()
    metas = [dict(img_shape=tuple(x.shape[-2:]), pad_shape=tuple(x.shape[-2:]))] * len(x)
    with torch.no_grad():
        return model.encode_decode(x, metas).clone()


def main():
    version, MODELS = import_mmseg()
    torch.manual_seed(0)
    model = MODELS.build(config())
    model.init_weights()
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = inputs()
    before = logits(model, x)
    model.train()
    losses = model.loss(x, samples(y))
    total = losses['decode.loss_ce'] + losses['aux.loss_ce']
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    opt.zero_grad()
    total.backward()
    params = dict(model.named_parameters())
    grads = {k: params[k].grad.clone() for k in GRAD_KEYS}
    opt.step()
    torch.save(
        {
            'made_by': f'tools/mmseg_fixture.py with mmsegmentation {version}, torch {torch.__version__}',
            'weights': weights,
            'input': x,
            'labels': y,
            'logits': before,
            'loss_decode': losses['decode.loss_ce'].detach(),
            'loss_aux': losses['aux.loss_ce'].detach(),
            'grads': grads,
            'logits_after_step': logits(model, x),
        },
        OUT,
    )
    print(f'wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size / 1e3:.0f} kB): {len(weights)} tensors, mmseg {version}')


if __name__ == '__main__':
    main()
