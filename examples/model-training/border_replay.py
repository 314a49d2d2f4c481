#!/usr/bin/env python3
"""Dev-only: replay the fleet row of `npm run eval:adaptation` with residual-aware KNN distances.

The bundle's PCA (1280 -> 256) was fitted on the known classes only, so what a new class differs
in may lie in the part it discards. This replays device B of the fleet row (the shipped 200 KNN
samples plus the samples device A shares, B's fleet guard, the novel-class gate with k 3, the
distance-weighted 5-NN vote) with each distance d between a query q and a stored sample s
replaced by

    sqrt(d^2 + w^2 * |r(q) - r(s)|^2),   r(x) = (z - mu) - C^T C (z - mu),  z = standardised x,

the PCA residual vector of the 1280-d features, in the gate and in the vote, for a grid of w and
of the gate's margin (below 1 favours the learnt classes; the shipped gate only allows >= 1). w = 0
with margin 1.1 is the shipped classifier: its row reproduces the eval's fleet row. The "norm" rows
use only the residual's length, one number per sample instead of 1280.

Input: the folder written by `npm run eval:adaptation:border -- --seeds 7,1,2,3,4 --dump DIR`
(raw and transformed features of A's and B's streams, A's shared samples). The residuals of the
shipped KNN samples need their raw features: the export's draw of Fashion-MNIST *train* images
is replayed (as `dense_knn_state.py` does) and run through the committed TFLite model, then
cached in DIR. Needs numpy and tensorflow, like the export.

    python3 border_replay.py --dump DIR [--seeds 7,1,2,3,4]
"""
from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import numpy as np

from dense_knn_state import export_draw
from train_feature_extractor import MODEL_DIR, N_KNN_PER_CLASS, TfliteExtractor, load_fashion_mnist, to_model_input

HELD = {"bag", "ankle boot"}
GATE_K, VOTE_K = 3, 5
FLEET_SEED_OFFSET = 1000
# (residual term, w, gate margin); "norm" uses only |(|r(q)| - |r(s)|)|, one number per sample.
GRID = [("vector", 0.0, 1.1), ("vector", 0.0, 1.0)]
GRID += [("vector", w, m) for w in (6.0, 8.0, 10.0) for m in (1.0, 0.95, 0.9)]
GRID += [("norm", w, m) for w in (30.0, 50.0) for m in (1.0, 0.95)]


class Transform:
    def __init__(self, doc: dict):
        self.smean = np.array(doc["scaler"]["mean"])
        self.sscale = np.array(doc["scaler"]["scale"])
        self.pmean = np.array(doc["pca"]["mean"])
        self.c = np.array(doc["pca"]["components"])

    def project(self, raw: np.ndarray) -> np.ndarray:
        return ((raw - self.smean) / self.sscale - self.pmean) @ self.c.T

    def residual(self, raw: np.ndarray) -> np.ndarray:
        z = (raw - self.smean) / self.sscale - self.pmean
        return z - (z @ self.c.T) @ self.c


def dists(q: np.ndarray, s: np.ndarray) -> np.ndarray:
    d = (q * q).sum(1)[:, None] + (s * s).sum(1)[None, :] - 2 * q @ s.T
    return np.sqrt(np.maximum(d, 0))


def vote(d: np.ndarray, labels: list[str], idx: np.ndarray) -> tuple[str, float, float]:
    """The device's distance-weighted vote over the k nearest of `idx` (ties to the nearest class)."""
    order = idx[np.argsort(d[idx], kind="stable")[:VOTE_K]]
    votes: dict[str, float] = {}
    for j in order:
        votes[labels[j]] = votes.get(labels[j], 0.0) + 1 / (d[j] + 1e-9)
    best = None
    for j in order:
        if best is None or votes[labels[j]] > votes[best]:
            best = labels[j]
    return best, votes[best] / sum(votes.values()), float(d[order].mean())


def predict(d_all: np.ndarray, labels: list[str], known: set[str], margin: float) -> list[tuple[str, float, float]]:
    """Novel-class gate (mean of the 3 nearest per group, novel wins when margin times nearer), then the vote."""
    is_known = np.array([l in known for l in labels])
    ki, ni = np.flatnonzero(is_known), np.flatnonzero(~is_known)
    out = []
    for d in d_all:
        if len(ni) == 0:
            out.append(vote(d, labels, ki))
            continue
        novel = margin * np.sort(d[ni])[:GATE_K].mean() < np.sort(d[ki])[:GATE_K].mean()
        label, conf, _ = vote(d, labels, ni if novel else ki)
        out.append((label, conf, float(np.sort(d)[:VOTE_K].mean())))
    return out


def shipped_residuals(dump: Path, knn: np.ndarray, t: Transform) -> np.ndarray:
    cache = dump / "shipped-raw.npy"
    if not cache.exists():
        xtr, ytr, _, yte = load_fashion_mnist()
        pools, _, _ = export_draw(ytr, yte, N_KNN_PER_CLASS)
        ext = TfliteExtractor((MODEL_DIR / "model.tflite").read_bytes())
        np.save(cache, np.concatenate([ext(to_model_input(xtr[p[:N_KNN_PER_CLASS]])) for p in pools]))
    raw = np.load(cache).astype(np.float64)
    match = dists(knn, t.project(raw))
    if match.min(1).max() > 1e-3:
        raise SystemExit("the replayed draw does not reproduce knn-state.json")
    return t.residual(raw)[match.argmin(1)]


def load(dump: Path, seed: int, t: Transform):
    feats = np.fromfile(dump / f"tf-{seed}.f32", dtype="<f4").reshape(-1, 256).astype(np.float64)
    raw = np.fromfile(dump / f"raw-{seed}.f32", dtype="<f4").reshape(-1, 1280).astype(np.float64)
    return feats, t.residual(raw), json.loads((dump / f"truth-{seed}.json").read_text())


def score(pred: list[str], base: list[str], truth: list[str]) -> tuple[float, float]:
    """B's first-sight accuracy (new-class frames among 200-299) and old-class drop (points, from frame 200)."""
    sight = [i for i in range(200, 300) if truth[i] in HELD]
    old = [i for i in range(200, len(truth)) if truth[i] not in HELD]
    acc = np.mean([pred[i] == truth[i] for i in sight])
    drop = 100 * (np.mean([base[i] == truth[i] for i in old]) - np.mean([pred[i] == truth[i] for i in old]))
    return float(acc), float(drop)


def replay_seed(dump: Path, seed: int, t: Transform, knn: np.ndarray, knn_labels: list[str], knn_res: np.ndarray):
    fa, ra, _ = load(dump, seed, t)
    fb, rb, truth = load(dump, seed + FLEET_SEED_OFFSET, t)
    ref = json.loads((MODEL_DIR / "detectors.json").read_text())["knnDistance"]
    known = set(knn_labels)
    x, labels, res = knn.copy(), list(knn_labels), knn_res.copy()
    for s in json.loads((dump / f"shared-{seed}.json").read_text()):
        # B's fleet guard, as shipped: refuse a sample deep inside another of B's classes.
        label, conf, mean_d = predict(dists(fa[s["idx"]][None], x), labels, known, 1.1)[0]
        if label != s["label"] and conf >= 0.8 and mean_d < ref["mean"] - ref["std"]:
            continue
        x, res = np.vstack([x, fa[s["idx"]]]), np.vstack([res, ra[s["idx"]]])
        labels.append(s["label"])
    d = dists(fb, x)
    norms, query_norms = np.linalg.norm(res, axis=1), np.linalg.norm(rb, axis=1)
    dr = {"vector": dists(rb, res), "norm": np.abs(query_norms[:, None] - norms[None, :])}
    n = len(knn_labels)
    out = {}
    for kind, w, m in GRID:
        aug = np.sqrt(d**2 + (w * dr[kind]) ** 2)
        # The baseline (B without sharing) uses the same distances, as the eval's would.
        base = [p[0] for p in predict(aug[:, :n], knn_labels, known, m)]
        known_acc = np.mean([base[i] == truth[i] for i in range(len(truth)) if truth[i] not in HELD])
        out[(kind, w, m)] = (*score([p[0] for p in predict(aug, labels, known, m)], base, truth), known_acc)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dump", type=Path, required=True, help="folder of eval:adaptation:border --dump")
    ap.add_argument("--seeds", default="7,1,2,3,4")
    ap.add_argument("--norm-weights", help="comma-separated w for the norm term only (replaces the grid)")
    ap.add_argument("--margins", default="1.1", help="gate margins for --norm-weights (comma-separated)")
    a = ap.parse_args()
    if a.norm_weights:
        margins = [float(m) for m in a.margins.split(",")]
        GRID[:] = [("vector", 0.0, m) for m in margins]
        GRID.extend(("norm", float(w), m) for w in a.norm_weights.split(",") for m in margins)
    seeds = [int(s) for s in a.seeds.split(",")]
    t = Transform(json.loads((MODEL_DIR / "transform.json").read_text()))
    state = json.loads((MODEL_DIR / "knn-state.json").read_text())
    knn = np.frombuffer(base64.b64decode(state["features"]), dtype="<f4").reshape(-1, 256).astype(np.float64)
    knn_res = shipped_residuals(a.dump, knn, t)
    rows = [replay_seed(a.dump, s, t, knn, list(state["labels"]), knn_res) for s in seeds]
    print("| residual term | weight w | gate margin | " + " | ".join(f"seed {s}" for s in seeds) + " | seeds meeting both | B without sharing: known-class acc. (min–max) |")
    print("|---|---|---|" + "---|" * len(seeds) + "---|---|")
    for kind, w, m in GRID:
        cells = [r[(kind, w, m)] for r in rows]
        met = sum(acc >= 0.8 and drop <= 2.0 + 1e-9 for acc, drop, _ in cells)
        shown = " | ".join(f"{100 * acc:.0f} % / {drop:.1f}" for acc, drop, _ in cells)
        base = "–".join(f"{100 * f(c[2] for c in cells):.1f} %" for f in (min, max))
        print(f"| {kind if w else 'none (shipped distances)'} | {w:g} | {m:g} | {shown} | {met} | {base} |")


if __name__ == "__main__":
    main()
