"""Reader of TinySphere's field dataset (format `tinymlops-field-dataset/v1`).

A field dataset is a `.tar.gz` made by `GET /api/v1/exports/validated-samples`,
`tinysphere export samples` or the dashboard's models page. It holds:

  dataset.json   what was exported: filter, model versions, featureDim, count, classes
  samples.jsonl  one JSON object per sample, `index` = its row in features.f32:
                 deviceId, sampleId, episodeId, modelId, modelVersion, capturedAt,
                 validatedAt, validatedBy, label, predictedLabel, confidence,
                 image {path, mediaType, size, sha256} or null
  features.f32   count x featureDim little-endian float32, row-major: the features as the
                 device's KNN saw them (after the bundle's scaler + PCA)
  images/        the frames the devices captured (PNG), when they sent them

JSON Schemas: docs/schemas/FieldDatasetManifest.schema.json, FieldSampleRecord.schema.json.
Needs numpy only.
"""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FORMAT = "tinymlops-field-dataset/v1"


@dataclass
class FieldDataset:
    manifest: dict
    samples: list[dict]
    features: np.ndarray  # (count, featureDim) float32
    images: dict[str, bytes] = field(default_factory=dict)
    sha256: str = ""

    @property
    def labels(self) -> list[str]:
        return [s["label"] for s in self.samples]


def read_field_dataset(path: str | Path, with_images: bool = False) -> FieldDataset:
    """Reads a field dataset file; raises ValueError naming the file and the problem."""
    raw = Path(path).read_bytes()
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
            for m in tar.getmembers():
                if not m.isfile():
                    continue
                if m.name.startswith("images/") and not with_images:
                    continue
                files[m.name] = tar.extractfile(m).read()  # type: ignore[union-attr]
    except (tarfile.TarError, OSError) as e:
        raise ValueError(f"{path}: not a .tar.gz field dataset ({e})") from e
    for name in ("dataset.json", "samples.jsonl", "features.f32"):
        if name not in files:
            raise ValueError(f"{path}: {name} is missing")
    manifest = json.loads(files["dataset.json"])
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: format {manifest.get('format')!r}, this reader takes {FORMAT}")
    samples = [json.loads(line) for line in files["samples.jsonl"].decode().splitlines() if line]
    count, dim = manifest["count"], manifest["featureDim"]
    buf = files["features.f32"]
    if len(buf) != count * dim * 4 or len(samples) != count:
        raise ValueError(f"{path}: features.f32 has {len(buf)} bytes and {len(samples)} samples; "
                         f"dataset.json says {count} x {dim}")
    rows = np.frombuffer(buf, dtype="<f4").reshape(count, dim)
    features = rows[[s["index"] for s in samples]].astype(np.float32)
    images = {k: v for k, v in files.items() if k.startswith("images/")}
    return FieldDataset(manifest, samples, features, images, hashlib.sha256(raw).hexdigest())
