"""Writes the metrics reference fixture: predictions/labels and MMIM's eval_mosei_senti values.

Run with numpy and scikit-learn (e.g. `python make_reference.py`); the Java tests only read
the files it writes: reference.csv and reference.json.
"""
import json

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

rng = np.random.default_rng(2024)
n = 200
labels = np.round(rng.uniform(-3, 3, n) * 5) / 5  # steps of 0.2, includes zeros
labels[:12] = 0.0
preds = np.clip(labels + rng.normal(0, 0.8, n), -3.5, 3.5).astype(np.float32)
preds[12:20] = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, -3.5], dtype=np.float32)  # ties at .5
labels = labels.astype(np.float32)


def multiclass_acc(p, t):
    return np.sum(np.round(p) == np.round(t)) / float(len(t))


# MMIM's eval_mosei_senti (regression head, exclude_zero handled as non0 / has0)
p = preds.astype(np.float64)
t = labels.astype(np.float64)
non_zeros = np.array([i for i, e in enumerate(t) if e != 0])
out = {
    "mae": float(np.mean(np.absolute(p - t))),
    "corr": float(np.corrcoef(p, t)[0][1]),
    "acc7": float(multiclass_acc(np.clip(p, -3., 3.), np.clip(t, -3., 3.))),
    "acc5": float(multiclass_acc(np.clip(p, -2., 2.), np.clip(t, -2., 2.))),
    "acc2_has0": float(accuracy_score(t >= 0, p >= 0)),
    "f1_has0": float(f1_score(t >= 0, p >= 0, average="weighted")),
    "acc2_non0": float(accuracy_score(t[non_zeros] > 0, p[non_zeros] > 0)),
    "f1_non0": float(f1_score(t[non_zeros] > 0, p[non_zeros] > 0, average="weighted")),
}
with open("reference.csv", "w") as f:
    f.write("prediction,label\n")
    for a, b in zip(preds, labels):
        f.write(f"{float(a)!r},{float(b)!r}\n")
with open("reference.json", "w") as f:
    json.dump(out, f, indent=2)
print(out)
