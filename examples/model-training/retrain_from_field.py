#!/usr/bin/env python3
"""Retrain step: fold field samples people labelled into a model bundle, log it to MLflow.

Reads a TinySphere field dataset (see field_dataset.py), adds its labelled samples to the base
bundle's KNN state (up to --per-class per label, new labels included: the devices' feature
extractor and transform stay as they are, so the features are used as the devices computed
them), measures KNN accuracy on held-back field samples before and after, and writes the new
bundle. With MLFLOW_TRACKING_URI set, it logs a run (params, metrics, the export as a dataset
input, the bundle as artifacts under `bundle/`) and registers a new version of --mlflow-model,
optionally moving --alias to it; TinySphere then imports it like any other version.

Needs numpy only (and the standard library). Run from the repository root, e.g.:

  python3 examples/model-training/retrain_from_field.py --export field.tar.gz \
      --base-bundle models/fashion-mnv2 --out build/fashion-retrained --version 1.1.0 \
      --mlflow-model fashion-mnv2 --alias champion
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from field_dataset import read_field_dataset  # noqa: E402
from mlflow_rest import MlflowRest  # noqa: E402


def knn_predict(support: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Distance-weighted k-NN vote (weight 1/(d + 1e-9)), as TinyLCM's KnnClassifier decides."""
    d = np.sqrt(((queries[:, None, :] - support[None, :, :]) ** 2).sum(-1))
    out = []
    for row in d:
        idx = np.argsort(row, kind="stable")[:k]
        votes: dict[str, float] = {}
        for i in idx:
            votes[labels[i]] = votes.get(labels[i], 0.0) + 1.0 / (row[i] + 1e-9)
        best = max(votes.values())
        # ties: the class of the nearest neighbour among the tied ones
        out.append(next(labels[i] for i in idx if votes[labels[i]] == best))
    return np.array(out)


def split(labels: list[str], share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per label, holds back `share` of the samples (at least one when a label has two or more)."""
    rng = np.random.default_rng(seed)
    train, held = [], []
    for lab in sorted(set(labels)):
        idx = rng.permutation([i for i, x in enumerate(labels) if x == lab])
        n = int(round(len(idx) * share)) if len(idx) > 1 else 0
        n = max(n, 1) if len(idx) > 1 and share > 0 else n
        held += idx[:n].tolist()
        train += idx[n:].tolist()
    return np.array(sorted(train), dtype=int), np.array(sorted(held), dtype=int)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bundle(base: Path, out: Path, manifest: dict, knn: dict, labels: list[str]) -> dict:
    """Copies the base bundle's files, replaces labels.txt and knn-state.json, rewrites bundle.json."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out}: the output folder is not empty")
    out.mkdir(parents=True, exist_ok=True)
    written = {"knn-state.json": json.dumps(knn).encode(), "labels.txt": ("\n".join(labels) + "\n").encode()}
    files = []
    for f in manifest["files"]:
        data = written.get(f["path"]) or (base / f["path"]).read_bytes()
        (out / f["path"]).parent.mkdir(parents=True, exist_ok=True)
        (out / f["path"]).write_bytes(data)
        files.append({**f, "sha256": sha256(data), "size": len(data)})
    manifest = {k: v for k, v in manifest.items() if k != "signature"}  # re-sign with `tinysphere bundle sign`
    manifest["files"] = files
    (out / "bundle.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--export", required=True, help="field dataset (.tar.gz) from TinySphere")
    p.add_argument("--base-bundle", required=True, help="bundle folder the devices run (e.g. models/fashion-mnv2)")
    p.add_argument("--out", required=True, help="folder for the new bundle")
    p.add_argument("--version", required=True, help="version of the new bundle, e.g. 1.1.0")
    p.add_argument("--per-class", type=int, default=25, help="field samples added per label (default 25)")
    p.add_argument("--eval-share", type=float, default=0.2, help="share of each label held back to measure")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mlflow-model", help="registered model name to add the version to (needs MLFLOW_TRACKING_URI)")
    p.add_argument("--alias", help="point this MLflow alias (e.g. champion) at the new version")
    p.add_argument("--experiment", default="tinysphere-retrain", help="MLflow experiment of the run")
    a = p.parse_args()

    ds = read_field_dataset(a.export)
    base = Path(a.base_bundle)
    manifest = json.loads((base / "bundle.json").read_text())
    knn = json.loads((base / manifest["knnState"]).read_text())
    if ds.manifest["featureDim"] != knn["dim"]:
        raise SystemExit(f"{a.export}: features have {ds.manifest['featureDim']} values; "
                         f"{base}/{manifest['knnState']} has dim {knn['dim']} (export the version the bundle is)")
    if ds.manifest["filter"]["modelId"] != manifest["id"]:
        print(f"warning: the export is of {ds.manifest['filter']['modelId']}, the base bundle is {manifest['id']}",
              file=sys.stderr)
    support = np.frombuffer(base64.b64decode(knn["features"]), dtype="<f4").reshape(knn["count"], knn["dim"])
    support_labels = np.array(knn["labels"])
    train, held = split(ds.labels, a.eval_share, a.seed)
    field_labels = np.array(ds.labels)
    added: list[int] = []
    for lab in sorted(set(field_labels[train])):
        added += [int(i) for i in train if field_labels[i] == lab][: a.per_class]
    new_support = np.concatenate([support, ds.features[added]]).astype("<f4")
    new_labels = np.concatenate([support_labels, field_labels[added]])
    metrics = {"field_train_samples": len(train), "field_eval_samples": len(held), "knn_samples": len(new_labels)}
    if len(held):
        q = ds.features[held]
        metrics["field_eval_accuracy_before"] = float((knn_predict(support, support_labels, q, knn["k"]) == field_labels[held]).mean())  # noqa: E501
        metrics["field_eval_accuracy_after"] = float((knn_predict(new_support, new_labels, q, knn["k"]) == field_labels[held]).mean())  # noqa: E501
    labels = manifest["labels"] + sorted(set(field_labels[added]) - set(manifest["labels"]))
    metrics["new_labels"] = len(labels) - len(manifest["labels"])
    knn_doc = {**knn, "count": len(new_labels), "labels": new_labels.tolist(),
               "features": base64.b64encode(new_support.tobytes()).decode()}
    knn_doc.pop("timestamps", None)
    manifest.update(version=a.version, labels=labels,
                    createdAt=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
                    description=f"{manifest['id']} {manifest['version']} + {len(added)} field samples "
                                f"({ds.manifest['count']} exported, sha256 {ds.sha256[:12]})")
    held_out = [x for x in manifest.get("heldOutLabels", []) if x not in labels]
    manifest.pop("heldOutLabels", None)
    if held_out:
        manifest["heldOutLabels"] = held_out
    out = Path(a.out)
    manifest = write_bundle(base, out, manifest, knn_doc, labels)
    summary = {"bundle": str(out), "version": a.version, "labels": labels, "metrics": metrics}
    if os.environ.get("MLFLOW_TRACKING_URI") and a.mlflow_model:
        summary["mlflow"] = log_to_mlflow(a, ds, out, manifest, metrics)
    print(json.dumps(summary))


def log_to_mlflow(a: argparse.Namespace, ds, out: Path, manifest: dict, metrics: dict) -> dict:
    ml = MlflowRest(os.environ["MLFLOW_TRACKING_URI"])
    exp = ml.experiment_id(a.experiment)
    now = int(dt.datetime.now().timestamp() * 1000)
    run = ml.call("POST", "runs/create", {"experiment_id": exp, "run_name": f"retrain {manifest['id']} {a.version}",
                                          "start_time": now, "tags": [{"key": "tinysphere.bundle_id", "value": manifest["id"]}]})  # noqa: E501
    info = run["run"]["info"]
    params = {"base_bundle": a.base_bundle, "per_class": a.per_class, "eval_share": a.eval_share, "seed": a.seed,
              "export_sha256": ds.sha256, "export_count": ds.manifest["count"], "bundle_version": a.version}
    ml.call("POST", "runs/log-batch", {"run_id": info["run_id"],
                                       "params": [{"key": k, "value": str(v)} for k, v in params.items()],
                                       "metrics": [{"key": k, "value": v, "timestamp": now, "step": 0} for k, v in metrics.items()]})  # noqa: E501
    profile = json.dumps({"num_samples": ds.manifest["count"], "classes": ds.manifest["classes"]})
    ml.call("POST", "runs/log-inputs", {"run_id": info["run_id"], "datasets": [{
        "tags": [{"key": "mlflow.data.context", "value": "training"}],
        "dataset": {"name": f"{manifest['id']}-field-data", "digest": ds.sha256[:64], "source_type": "tinysphere",
                    "source": json.dumps({"path": os.path.basename(a.export)}), "profile": profile}}]})
    for f in ["bundle.json"] + [x["path"] for x in manifest["files"]]:
        ml.upload_artifact(info["artifact_uri"], f"bundle/{f}", (out / f).read_bytes())
    ml.call("POST", "runs/update", {"run_id": info["run_id"], "status": "FINISHED",
                                    "end_time": int(dt.datetime.now().timestamp() * 1000)})
    version = ml.register_version(a.mlflow_model, info["run_id"], "bundle", a.alias)
    return {"runId": info["run_id"], "model": a.mlflow_model, "version": version, "alias": a.alias}


if __name__ == "__main__":
    main()
