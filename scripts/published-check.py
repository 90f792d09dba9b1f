#!/usr/bin/env python3
"""Compares the kit's published-mode loss terms with the published PyTorch code on the same tensors.

usage: scripts/published-check.py --published CHECKOUT --export DIR [--commit SHA] [--out FILE.json]

  --published  a checkout of https://github.com/YaoYangWang/MECAM at the commit to compare
               against (its files are loaded from there at run time; none of its code is in
               this repository)
  --export     a folder written by the kit's exporter:
                 java -cp target/mecam.jar org.mecam.experiment.protocol.PublishedCheck --out DIR
  --commit     the commit CHECKOUT holds, when it is not a git work tree (else read from git)
  --out        also write the comparison as JSON

Needs torch and numpy. For one batch with fixed weights the exporter writes each modality's
encoder output h_m, the kit's contrastive projection W_m, the labels, each MMILB pair's weights
(under the published state-dict names), the previous batch (the entropy term's one-batch memory)
and the kit's value of each term (manifest.json). This script builds the published modules,
loads those weights, and computes:

  contrastive  src/modules/contrastive.py, IntraModalityCL.forward(video, text, video_labels,
               text_labels), the loss the published model's forward calls (HEAD's model.py calls
               it with the keywords video_labels / text_labels that only this version takes),
               one instance per modality m, with align_dim = the kit's W_m (bias 0; the kit's
               projection has none), called as forward(h_m, align_dim(h_m), y, y): both halves
               then see normalize(W_m h_m), and it returns L_m. nce is then k (L_t + L_a + L_v),
               the kit's composition (the published model's differs, see docs/METHOD.md).
  lld, entropy src/modules/encoders.py, MMILB.forward(x, y, labels, mem): first on the previous
               batch with mem=None (its sample_dict is the memory, as the published solver keeps
               it with mem_size = 1), then on the batch with mem = {'pos': [...], 'neg': [...]},
               which returns the pair's lld and H.

What is patched at run time, only so that the published code runs here (nothing else changes):

  1. torch.Tensor.cuda -> returns the tensor itself, while the published functions run, when no
     CUDA device is present: IntraModalityCL._get_positive_mask builds its mask with
     .cuda(non_blocking=True); everything here runs on the CPU.
  2. A stub module `transformers` (BertModel, BertConfig) when the package is not installed:
     encoders.py imports it at the top for its BERT text encoder, which the MMILB check does not
     use.

The published model itself (src/model.py) is not imported: at HEAD its forward fails with
AttributeError ('MECAM' object has no attribute 'loss_cross_clr_vt'), and it needs BERT weights.
"""
import argparse
import contextlib
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import types

import numpy as np
import torch


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stub_transformers():
    """Patch 2: a stand-in for `transformers` when it is missing (encoders.py imports it at the top)."""
    try:
        import transformers  # noqa: F401
        return None
    except ImportError:
        stub = types.ModuleType("transformers")

        class _Unavailable:
            def __init__(self, *args, **kwargs):
                raise RuntimeError("transformers is stubbed by published-check.py: BERT is not part of the check")

            @classmethod
            def from_pretrained(cls, *args, **kwargs):
                return cls()

        stub.BertModel = _Unavailable
        stub.BertConfig = _Unavailable
        sys.modules["transformers"] = stub
        return "transformers stubbed (not installed; only encoders.py's BERT encoder uses it)"


@contextlib.contextmanager
def cpu_cuda():
    """Patch 1: Tensor.cuda returns the tensor itself while the published code runs without CUDA."""
    if torch.cuda.is_available():
        yield
        return
    original = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    try:
        yield
    finally:
        torch.Tensor.cuda = original


def published_commit(checkout):
    """The commit of CHECKOUT when it is the top of a git work tree (not a folder inside another one)."""
    try:
        top, head = subprocess.run(["git", "-C", checkout, "rev-parse", "--show-toplevel", "HEAD"],
                                   capture_output=True, text=True, check=True).stdout.split()
    except (OSError, ValueError, subprocess.CalledProcessError):
        return None
    return head if os.path.realpath(top) == os.path.realpath(checkout) else None


def tensor(folder, name):
    return torch.from_numpy(np.load(os.path.join(folder, name + ".npy")))


def state(folder, prefix):
    out = {}
    for f in sorted(os.listdir(folder)):
        if f.startswith(prefix + ".") and f.endswith(".npy"):
            out[f[len(prefix) + 1:-4]] = tensor(folder, f[:-4])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--published", required=True, help="checkout of YaoYangWang/MECAM at the commit to compare against")
    ap.add_argument("--export", required=True, help="folder written by org.mecam.experiment.protocol.PublishedCheck")
    ap.add_argument("--commit", help="the commit CHECKOUT holds, when it is not a git work tree")
    ap.add_argument("--out", help="write the comparison as JSON too")
    args = ap.parse_args()

    src = os.path.join(args.published, "src", "modules")
    for f in ("contrastive.py", "encoders.py"):
        if not os.path.isfile(os.path.join(src, f)):
            sys.exit("error: %s has no src/modules/%s: not a checkout of YaoYangWang/MECAM" % (args.published, f))
    patches = ["torch.Tensor.cuda returns the tensor itself inside the published functions (no CUDA device here)"
               if not torch.cuda.is_available() else None]
    patches.append(stub_transformers())
    patches = [p for p in patches if p]
    contrastive = load_module("published_contrastive", os.path.join(src, "contrastive.py"))
    encoders = load_module("published_encoders", os.path.join(src, "encoders.py"))
    wanted = ["video_features", "text_features", "video_labels", "text_labels"]
    if list(inspect.signature(contrastive.IntraModalityCL.forward).parameters)[1:] != wanted:
        sys.exit("error: this checkout's IntraModalityCL.forward takes %s, not %s: the check is written for the"
                 " version that HEAD's model.py calls (contrastive.py since 2b5b8f3)"
                 % (list(inspect.signature(contrastive.IntraModalityCL.forward).parameters)[1:], wanted))

    ex = args.export
    manifest = json.load(open(os.path.join(ex, "manifest.json")))
    kit = manifest["values"]
    k = manifest["contrastScale"]
    rows = []

    def row(group, name, kit_value, published_value):
        rows.append({"group": group, "term": name, "kit": kit_value, "published": published_value,
                     "abs_diff": abs(kit_value - published_value)})

    torch.set_grad_enabled(False)
    with cpu_cuda():
        for case in manifest["contrastive"]:
            labels = tensor(ex, case["labels"]).unsqueeze(1)  # (B, 1), as the published solver's y
            suffix = {"published": "", "class-7 positives, self kept": "_class7"}.get(case["name"], "_tau%s" % case["tau"])
            group = "contrastive (%s)" % case["name"]
            total = 0.0
            for m in manifest["modalities"]:
                h = tensor(ex, "h_" + m)
                weights = state(ex, "contrast_" + m)
                c, d = weights["align_dim.weight"].shape
                module = contrastive.IntraModalityCL(video_dim=d, text_dim=c, temperature=case["tau"],
                                                     negative_weight=case["negWeight"])
                missing, unexpected = module.load_state_dict(weights, strict=False)
                assert missing == ["logit_scale"] and not unexpected, (missing, unexpected)
                value = float(module(h, module.align_dim(h), video_labels=labels, text_labels=labels))
                total += value
                row(group, "contrastive_%s%s" % (m, suffix), kit["contrastive_%s%s" % (m, suffix)], value)
            row(group, "contrastive%s" % suffix, kit["contrastive%s" % suffix], k * total)

        lld_sum, h_sum = 0.0, 0.0
        for p in manifest["pairs"]:
            weights = state(ex, "mmilb_" + p["pair"])
            y_size, x_size = weights["mlp_mu.0.weight"].shape
            module = encoders.MMILB(x_size=x_size, y_size=y_size, mid_activation="ReLU", last_activation="Tanh")
            module.load_state_dict(weights, strict=True)
            _, memory, _ = module(tensor(ex, "h_%s_previous" % p["x"]), tensor(ex, "h_%s_previous" % p["y"]),
                                  labels=tensor(ex, "labels_previous").unsqueeze(1), mem=None)
            lld, _, h = module(tensor(ex, "h_" + p["x"]), tensor(ex, "h_" + p["y"]),
                               labels=tensor(ex, "labels").unsqueeze(1),
                               mem={"pos": [memory["pos"]], "neg": [memory["neg"]]})
            lld_sum += float(lld)
            h_sum += float(h)
            row("lld", "lld_" + p["pair"], kit["lld_" + p["pair"]], float(lld))
            row("entropy", "entropy_" + p["pair"], kit["entropy_" + p["pair"]], float(h))
        row("lld", "lld", kit["lld"], lld_sum)
        row("entropy", "entropy", kit["entropy"], h_sum)

    commit = published_commit(args.published) or args.commit
    print("published code: %s (commit %s); kit: %s" % (args.published, commit or "unknown",
                                                       manifest["kit"]["gitCommit"]))
    print("patched at run time: " + ("; ".join(patches) if patches else "nothing"))
    print("%-34s %-24s %16s %16s %12s" % ("group", "term", "kit", "published", "|diff|"))
    for r in rows:
        print("%-34s %-24s %16.9g %16.9g %12.3g" % (r["group"], r["term"], r["kit"], r["published"], r["abs_diff"]))
    groups = {}
    for r in rows:
        groups[r["group"]] = max(groups.get(r["group"], 0.0), r["abs_diff"])
    print("largest absolute difference per term:")
    for g, d in groups.items():
        print("  %-34s %.3g" % (g, d))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"published": {"path": os.path.abspath(args.published), "commit": commit},
                       "kit": manifest["kit"], "torch": torch.__version__, "patches": patches,
                       "rows": rows, "largest_abs_diff": groups}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
