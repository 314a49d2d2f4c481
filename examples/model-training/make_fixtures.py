#!/usr/bin/env python3
"""Dev-only: write the sklearn StandardScaler + PCA cross-check fixture for the TS feature transform.

Output: packages/tinylcm/src/features/fixtures/sklearn-scaler-pca.json
X is 40 x 12 (numpy.random.default_rng(42)), correlated columns with very different scales and
offsets. StandardScaler().fit(X), then PCA(n_components=5, svd_solver='full', random_state=0) on
the scaled X. `expected` = pca.transform(scaler.transform(X)), which equals
((X - scaler.mean) / scaler.scale - pca.mean) @ components.T. All numbers are float64.
"""
import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

OUT = Path(__file__).resolve().parents[2] / "packages/tinylcm/src/features/fixtures/sklearn-scaler-pca.json"


def main() -> None:
    rng = np.random.default_rng(42)
    n, d = 40, 12
    latent = rng.normal(size=(n, 4))
    mix = rng.normal(size=(4, d))
    scales = 10.0 ** np.linspace(-2, 3, d)           # 0.01 .. 1000
    offsets = rng.uniform(-50, 50, size=d)
    x = (latent @ mix + 0.3 * rng.normal(size=(n, d))) * scales + offsets

    scaler = StandardScaler().fit(x)
    xs = scaler.transform(x)
    pca = PCA(n_components=5, svd_solver="full", random_state=0).fit(xs)
    expected = pca.transform(xs)
    manual = ((x - scaler.mean_) / scaler.scale_ - pca.mean_) @ pca.components_.T
    assert np.allclose(manual, expected, atol=1e-12)

    fixture = {
        "schemaVersion": 1,
        "description": "StandardScaler + PCA(5) fitted by scikit-learn on X; expected = "
                       "((X - scaler.mean) / scaler.scale - pca.mean) @ pca.components^T. "
                       "scaler.scale is the population std (ddof 0). PCA component signs follow "
                       "sklearn's svd_flip (sklearn >= 1.5: the entry with the largest |value| in "
                       "each component row is positive).",
        "generator": "examples/model-training/make_fixtures.py",
        "sklearnVersion": sklearn.__version__,
        "numpyVersion": np.__version__,
        "seed": 42,
        "nSamples": n, "nFeatures": d, "nComponents": 5,
        "X": x.tolist(),
        "scaler": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
                   "var": scaler.var_.tolist()},
        "pca": {"mean": pca.mean_.tolist(), "components": pca.components_.tolist(),
                "explainedVariance": pca.explained_variance_.tolist(),
                "explainedVarianceRatio": pca.explained_variance_ratio_.tolist(),
                "singularValues": pca.singular_values_.tolist()},
        "expected": expected.tolist(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
