#!/usr/bin/env python3
"""Dev-only: rebuild the known-class reference of the committed `fashion-mnv2` bundle.

The export stage (`train_feature_extractor.py export`) ships 25 KNN samples per known class. This
script keeps the committed model and transform and replaces only `knn-state.json` (N samples per
known class, drawn from Fashion-MNIST *train* images that neither the TFLite calibration nor the
scaler + PCA fit used), `detectors.json` (the KNN-distance reference, re-measured against the new
state on the same 1,000 known and 500 held-out test images as the export) and the hashes in
`bundle.json`. Nothing is retrained.

The draw replays the export's random generator, so the first 25 samples of each class are exactly
the export's 25 (the script checks that the committed state reproduces bit for bit with
`--per-class 25`). Selection methods per class, all from the same candidate pool:

  random   the first N of the export's per-class permutation (a superset of the 25)
  kcenter  greedy k-center (farthest point first) started from the export's 25: covers each
           class's outskirts, where a new class borders it

Needs numpy and tensorflow (the `TfliteExtractor` of the export); the Fashion-MNIST train set from
the Debian package `dataset-fashion-mnist`. TFLite features of the pool are cached in --work-dir.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from train_feature_extractor import (
    CLASS_NAMES, HELD_OUT, K, KNOWN, MODEL_DIR, N_FIT_PER_CLASS, N_KNN_PER_CLASS,
    N_REF_HELD_PER_CLASS, N_REF_KNOWN_PER_CLASS, N_REPRESENTATIVE, NUM_KNOWN, PCA_DIM, SEED,
    TfliteExtractor, bundle_files, dist_stats, dumps_compact, knn_distances, knn_predict,
    load_fashion_mnist, sample_indices, to_model_input,
)


def export_draw(ytr: np.ndarray, yte: np.ndarray, pool_per_class: int):
    """Replays the export's generator: the per-class candidate pools (the export's 25 first) and
    the detector reference images."""
    rng = np.random.default_rng(SEED + 1)
    tr_known = np.flatnonzero(ytr < NUM_KNOWN)
    rep_idx = np.sort(rng.choice(tr_known, N_REPRESENTATIVE, replace=False))
    rest = np.setdiff1d(tr_known, rep_idx)
    pools = []
    for c in KNOWN:
        perm = rng.permutation(rest[ytr[rest] == c])
        cand = perm[N_FIT_PER_CLASS:N_FIT_PER_CLASS + pool_per_class]
        # the export's 25 in its (sorted) order first, then the rest of the permutation
        pools.append(np.concatenate([np.sort(cand[:N_KNN_PER_CLASS]), cand[N_KNN_PER_CLASS:]]))
    not_sample = np.setdiff1d(np.arange(len(yte)), sample_indices(yte))
    ref_known = np.sort(np.concatenate([rng.choice(not_sample[yte[not_sample] == c],
                                                   N_REF_KNOWN_PER_CLASS, replace=False) for c in KNOWN]))
    ref_held = np.sort(np.concatenate([rng.choice(not_sample[yte[not_sample] == c],
                                                  N_REF_HELD_PER_CLASS, replace=False) for c in HELD_OUT]))
    return pools, ref_known, ref_held


def load_transform():
    t = json.loads((MODEL_DIR / "transform.json").read_text())
    sc_mean, sc_scale = np.array(t["scaler"]["mean"]), np.array(t["scaler"]["scale"])
    p_mean, comps = np.array(t["pca"]["mean"]), np.array(t["pca"]["components"])
    return lambda f: ((f.astype(np.float64) - sc_mean) / sc_scale - p_mean) @ comps.T


def features(ext, images: np.ndarray, cache: Path) -> np.ndarray:
    """TFLite features of the images, cached under a hash of their pixels."""
    path = cache / f"dense-knn-{hashlib.sha256(images.tobytes()).hexdigest()[:16]}.npy"
    if path.exists():
        return np.load(path)
    out = np.concatenate([ext(to_model_input(images[i:i + 500])) for i in range(0, len(images), 500)])
    np.save(path, out)
    return out


def kcenter(z: np.ndarray, start: int, n: int) -> np.ndarray:
    """Greedy k-center: rows 0..start-1 first, then repeatedly the row farthest from those chosen."""
    chosen = list(range(start))
    d = np.sqrt(((z[:, None, :] - z[None, :start, :]) ** 2).sum(-1)).min(1)
    while len(chosen) < n:
        i = int(d.argmax())
        chosen.append(i)
        d = np.minimum(d, np.sqrt(((z - z[i]) ** 2).sum(-1)))
    return np.array(chosen)


def select(z_pools: list, method: str, n: int) -> list:
    if method == "random":
        return [np.arange(n) for _ in z_pools]
    return [kcenter(zp, N_KNN_PER_CLASS, n) for zp in z_pools]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-class", type=int, default=100, help="KNN samples per known class")
    ap.add_argument("--method", choices=["random", "kcenter"], default="random")
    ap.add_argument("--pool-per-class", type=int, default=1000, help="candidates per class (kcenter)")
    ap.add_argument("--out", default=str(MODEL_DIR), help="bundle folder to rewrite (default: the committed one)")
    ap.add_argument("--work-dir", default=".train-work", help="feature cache (not committed)")
    args = ap.parse_args()
    out = Path(args.out)
    cache = Path(args.work_dir)
    cache.mkdir(parents=True, exist_ok=True)
    pool_n = max(args.pool_per_class, args.per_class)

    t0 = time.time()
    xtr, ytr, xte, yte = load_fashion_mnist()
    pools, ref_known, ref_held = export_draw(ytr, yte, pool_n)
    ext = TfliteExtractor((MODEL_DIR / "model.tflite").read_bytes())
    transform = load_transform()
    flat = np.concatenate(pools)
    z_flat = transform(features(ext, xtr[flat], cache))
    z_pools = np.split(z_flat, np.cumsum([len(p) for p in pools])[:-1])
    picks = select(z_pools, args.method, args.per_class)
    z_knn = np.concatenate([zp[p] for zp, p in zip(z_pools, picks)]).astype("<f4")
    knn_labels = np.repeat(np.array(KNOWN), args.per_class)
    state = {
        "schemaVersion": 1, "dim": PCA_DIM, "count": int(len(z_knn)), "metric": "euclidean",
        "k": K, "labels": [CLASS_NAMES[c] for c in knn_labels],
        "features": base64.b64encode(z_knn.tobytes()).decode("ascii"),
    }
    state_text = dumps_compact(state) + "\n"
    if args.per_class == N_KNN_PER_CLASS and args.method == "random":
        same = state_text == (MODEL_DIR / "knn-state.json").read_text()
        print(json.dumps({"reproducesCommittedState": same}))

    z_test = transform(features(ext, xte, cache))
    d_test, nn_test = knn_distances(z_test, z_knn, K)
    mean_d = d_test.mean(1)
    known_te = yte < NUM_KNOWN
    knn_acc = float((knn_predict(nn_test, knn_labels)[known_te] == yte[known_te]).mean())
    detectors = {
        "schemaVersion": 1,
        "knnDistance": dist_stats(mean_d[ref_known]),
        "heldOutKnnDistance": dist_stats(mean_d[ref_held]),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "knn-state.json").write_text(state_text)
    (out / "detectors.json").write_text(json.dumps(detectors, indent=2) + "\n")
    bundle = json.loads((out / "bundle.json").read_text())
    bundle["files"] = bundle_files(out)
    (out / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")
    print(json.dumps({
        "method": args.method, "perClass": args.per_class, "samples": int(len(z_knn)),
        "knnStateBytes": len(state_text), "knnTestAccuracyKnown8": knn_acc,
        "detectors": detectors, "seconds": round(time.time() - t0, 1),
    }))


if __name__ == "__main__":
    main()
