#!/usr/bin/env python3
"""Dev-only: train the `fashion-mnv2` feature extractor and export the model bundle.

Trains MobileNetV2 (alpha=0.35, weights=None, 112x112x3 input) on Fashion-MNIST with the classes
bag (8) and ankle boot (9) held out. It then exports the 1280-d `feature_pool` extractor as a
full-int8 TFLite model (uint8 input, float32 output, batch fixed to 1) and writes the bundle files
(transform, KNN state, detector reference statistics, golden outputs, bundle.json) plus the
committed Fashion-MNIST test sample.

Stages:
  train   -> <work-dir>/model.keras and <work-dir>/train-log.json
  export  -> models/fashion-mnv2/* and datasets/fashion-mnist/* (needs the train stage output)
  all     -> train, then export

CI and the TypeScript packages never run this; it only documents how the committed artefacts were
made. See README.md next to this file for the exact commands.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import platform
import struct
import time
from pathlib import Path

import numpy as np

SEED = 0
IMG = 112  # 4 x 28
NUM_KNOWN = 8
CLASS_NAMES = [
    "t-shirt/top", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
]
KNOWN = list(range(8))
HELD_OUT = [8, 9]
DATA_DIR = Path("/usr/share/datasets/fashion-mnist")
REPO = Path(__file__).resolve().parents[2]
MODEL_DIR = REPO / "models" / "fashion-mnv2"
DATASET_DIR = REPO / "datasets" / "fashion-mnist"

SAMPLE_PER_CLASS = 200      # committed test sample: first 200 test images of each class
N_REPRESENTATIVE = 200      # TFLite calibration images (train, known classes)
N_FIT_PER_CLASS = 375       # 8 x 375 = 3000 train images for scaler + PCA
N_KNN_PER_CLASS = 25        # 8 x 25 = 200 initial KNN samples (train)
N_REF_KNOWN_PER_CLASS = 125  # 8 x 125 = 1000 known test images (not in the sample) for detector stats
N_REF_HELD_PER_CLASS = 250   # 2 x 250 = 500 held-out test images (not in the sample)
PCA_DIM = 256
K = 5


# --------------------------------------------------------------------------------------------
# Area resize: the reference for the TypeScript implementation.
# --------------------------------------------------------------------------------------------
def _area_weights(in_n: int, out_n: int) -> np.ndarray:
    """Integer overlap weights W[out_n, in_n].

    In a common unit grid, input pixel r covers [r*out_n, (r+1)*out_n) and output pixel i covers
    [i*in_n, (i+1)*in_n). W[i, r] is the integer length of the overlap, so every row sums to in_n.
    """
    w = np.zeros((out_n, in_n), dtype=np.int64)
    for i in range(out_n):
        lo, hi = i * in_n, (i + 1) * in_n
        for r in range(lo // out_n, (hi - 1) // out_n + 1):
            w[i, r] = min(hi, (r + 1) * out_n) - max(lo, r * out_n)
    return w


def area_resize(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Area-average resize of a uint8 image HWC (a leading batch dim NHWC is also accepted).

    Each output pixel is the mean of the input area it covers, with fractional-overlap weights:
        value = S / D,  S = sum_r sum_c Wy[i, r] * Wx[j, c] * img[r, c],  D = in_h * in_w
    (Wy, Wx from _area_weights). Rounding is half up, floor(value + 0.5), done exactly in integers
    as (2*S + D) // (2*D). Everything is integer arithmetic, so any implementation (TS included)
    that computes the same S and D gets bit-identical output. For an integer upscale this is pixel
    replication; for an integer downscale it is the block mean.
    """
    if img.dtype != np.uint8:
        raise TypeError("area_resize expects uint8")
    in_h, in_w = img.shape[-3], img.shape[-2]
    wy = _area_weights(in_h, out_h).astype(np.float64)
    wx = _area_weights(in_w, out_w).astype(np.float64)
    # float64 matmul is exact here: every product and partial sum is an integer < 2**53
    chw = np.moveaxis(img, -1, -3).astype(np.float64)
    s = np.moveaxis(wy @ chw @ wx.T, -3, -1).astype(np.int64)
    d = in_h * in_w
    return ((2 * s + d) // (2 * d)).astype(np.uint8)


def to_model_input(gray28: np.ndarray) -> np.ndarray:
    """uint8 [..., 28, 28] gray -> uint8 [..., 112, 112, 3] RGB (area resize, gray copied to RGB)."""
    up = area_resize(gray28[..., None], IMG, IMG)
    return np.repeat(up, 3, axis=-1)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------
def read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = data[0] << 8 | data[1], data[2], data[3]
    assert zero == 0 and dtype_code == 0x08, "only unsigned-byte IDX files"
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist():
    xtr = read_idx(DATA_DIR / "train-images-idx3-ubyte.gz")
    ytr = read_idx(DATA_DIR / "train-labels-idx1-ubyte.gz")
    xte = read_idx(DATA_DIR / "t10k-images-idx3-ubyte.gz")
    yte = read_idx(DATA_DIR / "t10k-labels-idx1-ubyte.gz")
    return xtr, ytr.astype(np.int64), xte, yte.astype(np.int64)


def sample_indices(yte: np.ndarray) -> np.ndarray:
    """Committed test sample: the first SAMPLE_PER_CLASS test images of each class, in test order."""
    keep = np.concatenate([np.flatnonzero(yte == c)[:SAMPLE_PER_CLASS] for c in range(10)])
    return np.sort(keep)


def write_idx_gz(path: Path, arr: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    # mtime=0 keeps the gzip bytes reproducible
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(header + np.ascontiguousarray(arr, dtype=np.uint8).tobytes())


# --------------------------------------------------------------------------------------------
# Train
# --------------------------------------------------------------------------------------------
def build_model():
    import keras
    from keras import layers

    inp = keras.Input((IMG, IMG, 3), name="image")  # values 0..255 (the device feeds uint8)
    x = layers.Rescaling(1.0 / 255.0, name="rescale")(inp)
    backbone = keras.applications.MobileNetV2(
        input_shape=(IMG, IMG, 3), alpha=0.35, include_top=False, weights=None)
    # Keras' default BN momentum 0.999 is far too slow for a few epochs from scratch
    # (the infra probe got 9.7 % at inference with it).
    for layer in backbone.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = 0.9
    x = backbone(x)
    feat = layers.GlobalAveragePooling2D(name="feature_pool")(x)
    x = layers.Dropout(0.2, name="dropout")(feat)
    out = layers.Dense(NUM_KNOWN, activation="softmax", name="classifier")(x)
    return keras.Model(inp, out, name="fashion_mnv2")


def make_dataset(x112gray, y, batch, training, seed=SEED):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x112gray, y))
    if training:
        ds = ds.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch)

    def prep(x, yy):
        x = tf.repeat(x[..., None], 3, axis=-1)  # gray -> RGB
        if training:
            x = tf.image.random_flip_left_right(x, seed=seed)
        return tf.cast(x, tf.float32), yy

    return ds.map(prep, num_parallel_calls=2).prefetch(2)


def add_phases(log: dict) -> dict:
    """Logs of a first phase written before the `phases` key existed: reconstruct it."""
    if "phases" not in log:
        log["phases"] = [{"epochs": log["epochs"], "stepsPerEpoch": log["stepsPerEpoch"],
                          "batch": log["batch"], "peakLr": log["lr"], "schedule":
                          "linear warm-up from 0.1*peak over half an epoch, then cosine decay to 0"}]
    return log


def stage_train(args) -> None:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    xtr, ytr, xte, yte = load_fashion_mnist()

    rng = np.random.default_rng(SEED)
    known_idx = rng.permutation(np.flatnonzero(ytr < NUM_KNOWN))
    n_val = len(known_idx) // 10
    val_idx, tr_idx = np.sort(known_idx[:n_val]), known_idx[n_val:]
    if args.val_limit:
        val_idx = val_idx[: args.val_limit]
    if args.train_limit:
        tr_idx = tr_idx[: args.train_limit]
    tr_idx = np.sort(tr_idx)

    t0 = time.time()
    up = lambda a: area_resize(a[..., None], IMG, IMG)[..., 0]  # noqa: E731  (gray 112x112)
    x_tr, x_val = up(xtr[tr_idx]), up(xtr[val_idx])
    assert np.array_equal(x_tr[:50], np.repeat(np.repeat(xtr[tr_idx[:50]], 4, 1), 4, 2))
    print(f"resize: {time.time() - t0:.1f}s; train {len(tr_idx)} val {len(val_idx)}", flush=True)

    steps = args.steps_per_epoch or int(np.ceil(len(tr_idx) / args.batch))
    total = steps * args.epochs
    phase = {"epochs": args.epochs, "stepsPerEpoch": steps, "batch": args.batch, "peakLr": args.lr}
    if args.resume:
        # second phase: continue from the saved model, fresh Adam, cosine decay from args.lr to 0
        prior = json.loads((work / "train-log.json").read_text())
        model = keras.models.load_model(work / "model.keras", compile=False)
        lr = keras.optimizers.schedules.CosineDecay(args.lr, decay_steps=total)
        phase["schedule"] = "cosine decay, no warm-up, resumed from the previous phase"
    else:
        prior = None
        model = build_model()
        lr = keras.optimizers.schedules.CosineDecay(
            args.lr * 0.1, decay_steps=total - min(steps // 2, total // 4),
            warmup_target=args.lr, warmup_steps=min(steps // 2, total // 4))
        phase["schedule"] = "linear warm-up from 0.1*peak over half an epoch, then cosine decay to 0"
    if prior:
        add_phases(prior)
    phases = (prior["phases"] if prior else []) + [phase]
    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"params: {model.count_params()}", flush=True)

    ds_tr = make_dataset(x_tr, ytr[tr_idx], args.batch, True, seed=SEED + len(phases) - 1).repeat()
    ds_val = make_dataset(x_val, ytr[val_idx], 256, False)

    if args.probe_steps:
        t = time.time()
        model.fit(ds_tr.take(args.probe_steps), epochs=1, verbose=2)
        dt_s = time.time() - t
        print(f"PROBE {args.probe_steps} steps x {args.batch}: {dt_s:.1f}s -> est. "
              f"{dt_s / args.probe_steps * steps:.0f}s per {steps} steps", flush=True)
        return

    e0 = prior["epochsCompleted"] if prior else 0
    seen0 = prior["imagesSeen"] if prior else 0
    sec0 = prior["trainSeconds"] if prior else 0.0
    base_log = {
        "epochs": e0 + args.epochs, "stepsPerEpoch": steps, "batch": args.batch, "lr": args.lr,
        "phases": phases,
        "seed": SEED, "trainImages": int(len(tr_idx)), "valImages": int(len(val_idx)),
        "params": int(model.count_params()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "tensorflow": tf.__version__, "keras": keras.__version__,
    }
    t_train = time.time()

    class EpochLog(keras.callbacks.Callback):
        """Time each epoch, save the model and the log after every epoch (so a run can be cut short)."""
        history = {k: list(v) for k, v in prior["history"].items()} if prior else {}

        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.time()

        def on_epoch_end(self, epoch, logs=None):
            logs["epoch_seconds"] = time.time() - self.t
            for k, v in logs.items():
                self.history.setdefault(k, []).append(float(v))
            self.model.save(work / "model.keras")
            log = {**base_log, "epochsCompleted": e0 + epoch + 1,
                   "imagesSeen": seen0 + (epoch + 1) * steps * args.batch,
                   "trainSeconds": round(sec0 + time.time() - t_train, 1), "history": self.history,
                   "valAccuracy": float(logs["val_accuracy"])}
            (work / "train-log.json").write_text(json.dumps(log, indent=2))
            print(f"epoch {e0 + epoch + 1}: {json.dumps({k: round(float(v), 4) for k, v in logs.items()})}",
                  flush=True)

    model.fit(ds_tr, validation_data=ds_val, epochs=args.epochs, steps_per_epoch=steps, verbose=2,
              callbacks=[EpochLog()])
    print(f"training done in {time.time() - t_train:.0f}s", flush=True)


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------
def f32s(a) -> list:
    """float32 values as JSON numbers (shortest repr that round-trips to the same float32)."""
    return [float(np.format_float_positional(v, unique=True, trim="-"))
            for v in np.asarray(a, dtype=np.float32).ravel()]


def dumps_compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def sha256_file(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def convert_tflite(feat_model, rep_images: np.ndarray, tmp_dir: Path) -> bytes:
    import keras
    import tensorflow as tf

    # Keras 3 models must go through a SavedModel (from_concrete_functions does not freeze the
    # Keras variables: READ_VARIABLE fails during calibration). Batch fixed to 1.
    spec = tf.TensorSpec([1, IMG, IMG, 3], tf.float32, name="image")
    archive = keras.export.ExportArchive()
    archive.track(feat_model)
    archive.add_endpoint(
        name="serving_default",
        fn=lambda image: {"feature_pool": feat_model(image, training=False)},
        input_signature=[spec])
    saved = tmp_dir / "feature_extractor_savedmodel"
    archive.write_out(str(saved), verbose=False)
    conv = tf.lite.TFLiteConverter.from_saved_model(str(saved))
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def rep():
        for im in rep_images:
            yield [im[None].astype(np.float32)]

    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.uint8
    conv.inference_output_type = tf.float32
    return conv.convert()


def rename_tensor(model: bytes, old: str, new: str) -> bytes:
    """Rename a tensor in place in the .tflite flatbuffer (new name must not be longer).

    A flatbuffer string is a little-endian uint32 length, the bytes and a NUL. We shorten the
    length prefix and write the new name plus NUL at the same place; all offsets stay valid and
    everything else in the file is byte-identical. The old name must occur exactly once.
    """
    ob, nb = old.encode(), new.encode()
    assert len(nb) <= len(ob)
    needle = struct.pack("<I", len(ob)) + ob + b"\0"
    pos = model.find(needle)
    assert pos >= 0 and model.find(needle, pos + 1) < 0, f"tensor name {old!r} not unique"
    buf = bytearray(model)
    repl = struct.pack("<I", len(nb)) + nb + b"\0"
    buf[pos:pos + len(needle)] = repl + b"\0" * (len(needle) - len(repl))
    return bytes(buf)


class TfliteExtractor:
    def __init__(self, model_bytes: bytes):
        import tensorflow as tf

        self.it = tf.lite.Interpreter(model_content=model_bytes, num_threads=2)
        self.it.allocate_tensors()
        self.inp = self.it.get_input_details()[0]
        self.out = self.it.get_output_details()[0]

    def __call__(self, images_uint8: np.ndarray) -> np.ndarray:
        feats = np.empty((len(images_uint8), self.out["shape"][-1]), dtype=np.float32)
        for i, im in enumerate(images_uint8):
            self.it.set_tensor(self.inp["index"], im[None])
            self.it.invoke()
            feats[i] = self.it.get_tensor(self.out["index"])[0]
        return feats


def knn_distances(q: np.ndarray, support: np.ndarray, k: int):
    """Euclidean distances (float64) of each query to its k nearest support rows, ascending."""
    q = q.astype(np.float64)
    s = support.astype(np.float64)
    d = np.concatenate([np.sqrt(((q[i:i + 250, None, :] - s[None, :, :]) ** 2).sum(-1))
                        for i in range(0, len(q), 250)])
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d, idx, 1), idx


def knn_predict(nn_idx: np.ndarray, support_labels: np.ndarray) -> np.ndarray:
    """Majority vote over k neighbours; ties go to the class whose nearest member ranks first."""
    preds = []
    for row in nn_idx:
        labs = support_labels[row]
        counts = np.bincount(labs, minlength=NUM_KNOWN)
        best = np.flatnonzero(counts == counts.max())
        preds.append(next(lab for lab in labs if lab in best))
    return np.array(preds)


def dist_stats(x: np.ndarray) -> dict:
    return {
        "k": K, "metric": "euclidean",
        "mean": float(x.mean()), "std": float(x.std()),  # population std (ddof=0)
        "p50": float(np.percentile(x, 50)), "p95": float(np.percentile(x, 95)),
        "p99": float(np.percentile(x, 99)), "samples": int(len(x)),
    }


def stage_export(args) -> None:
    import keras
    import tensorflow as tf
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    keras.utils.set_random_seed(SEED)
    work = Path(args.work_dir)
    log = add_phases(json.loads((work / "train-log.json").read_text()))
    xtr, ytr, xte, yte = load_fashion_mnist()
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    DATASET_DIR.mkdir(parents=True, exist_ok=True)
    timings = {}

    # ---- committed dataset sample --------------------------------------------------------
    s_idx = sample_indices(yte)
    write_idx_gz(DATASET_DIR / "sample-images-idx3-ubyte.gz", xte[s_idx])
    write_idx_gz(DATASET_DIR / "sample-labels-idx1-ubyte.gz", yte[s_idx].astype(np.uint8))
    (DATASET_DIR / "indices.json").write_text(dumps_compact({
        "schemaVersion": 1, "source": "t10k (Fashion-MNIST test set)", "count": int(len(s_idx)),
        "perClass": SAMPLE_PER_CLASS, "indices": s_idx.tolist()}) + "\n")
    assert np.array_equal(read_idx(DATASET_DIR / "sample-images-idx3-ubyte.gz"), xte[s_idx])

    # ---- model + TFLite conversion -------------------------------------------------------
    model = keras.models.load_model(work / "model.keras")
    feat_model = keras.Model(model.input, model.get_layer("feature_pool").output)
    rng = np.random.default_rng(SEED + 1)
    tr_known = np.flatnonzero(ytr < NUM_KNOWN)
    rep_idx = np.sort(rng.choice(tr_known, N_REPRESENTATIVE, replace=False))
    t = time.time()
    tfl = convert_tflite(feat_model, to_model_input(xtr[rep_idx]), work)
    timings["convertSeconds"] = round(time.time() - t, 1)
    raw = TfliteExtractor(tfl)
    tfl = rename_tensor(tfl, raw.inp["name"], "image")
    tfl = rename_tensor(tfl, raw.out["name"], "feature_pool")
    (MODEL_DIR / "model.tflite").write_bytes(tfl)
    write_onnx_twin(tfl)
    ext = TfliteExtractor(tfl)
    assert (ext.inp["name"], ext.out["name"]) == ("image", "feature_pool")
    probe = to_model_input(xtr[rep_idx[:8]])
    assert np.array_equal(raw(probe), ext(probe)), "renaming changed the outputs"
    io = {"input": ext.inp, "output": ext.out}

    # ---- select images -------------------------------------------------------------------
    rest = np.setdiff1d(tr_known, rep_idx)
    fit_idx, knn_idx = [], []
    for c in KNOWN:
        pool = rng.permutation(rest[ytr[rest] == c])
        fit_idx.append(pool[:N_FIT_PER_CLASS])
        knn_idx.append(np.sort(pool[N_FIT_PER_CLASS:N_FIT_PER_CLASS + N_KNN_PER_CLASS]))
    fit_idx = np.sort(np.concatenate(fit_idx))
    knn_idx = np.concatenate(knn_idx)  # grouped by class, 25 each
    not_sample = np.setdiff1d(np.arange(len(yte)), s_idx)
    ref_known = np.sort(np.concatenate([rng.choice(not_sample[yte[not_sample] == c],
                                                   N_REF_KNOWN_PER_CLASS, replace=False) for c in KNOWN]))
    ref_held = np.sort(np.concatenate([rng.choice(not_sample[yte[not_sample] == c],
                                                  N_REF_HELD_PER_CLASS, replace=False) for c in HELD_OUT]))

    # ---- TFLite features -----------------------------------------------------------------
    t = time.time()
    f_fit = ext(to_model_input(xtr[fit_idx]))
    f_knn = ext(to_model_input(xtr[knn_idx]))
    f_test = np.concatenate([ext(to_model_input(xte[i:i + 1000])) for i in range(0, len(yte), 1000)])
    n_inf = len(fit_idx) + len(knn_idx) + len(yte)
    timings["tfliteInferences"] = n_inf
    timings["tfliteMsPerImage"] = round((time.time() - t) / n_inf * 1000, 2)

    # ---- scaler + PCA ---------------------------------------------------------------------
    scaler = StandardScaler().fit(f_fit.astype(np.float64))
    pca = PCA(n_components=PCA_DIM, whiten=False, svd_solver="full", random_state=0)
    pca.fit(scaler.transform(f_fit.astype(np.float64)))
    transform = {
        "schemaVersion": 1, "inputDim": int(f_fit.shape[1]), "outputDim": PCA_DIM,
        "scaler": {"mean": f32s(scaler.mean_), "scale": f32s(scaler.scale_)},
        "pca": {"mean": f32s(pca.mean_),
                "components": [f32s(r) for r in pca.components_],
                "explainedVarianceRatio": f32s(pca.explained_variance_ratio_)},
    }
    (MODEL_DIR / "transform.json").write_text(dumps_compact(transform) + "\n")
    # Use exactly the committed (float32-rounded) parameters from here on, in float64 arithmetic.
    tr_ = json.loads((MODEL_DIR / "transform.json").read_text())
    sc_mean = np.array(tr_["scaler"]["mean"]); sc_scale = np.array(tr_["scaler"]["scale"])
    p_mean = np.array(tr_["pca"]["mean"]); comps = np.array(tr_["pca"]["components"])
    assert np.all(sc_scale > 0)

    def apply_transform(f):
        return ((f.astype(np.float64) - sc_mean) / sc_scale - p_mean) @ comps.T

    sk = pca.transform(scaler.transform(f_fit[:20].astype(np.float64)))
    assert np.allclose(apply_transform(f_fit[:20]), sk, atol=1e-3), "transform formula mismatch"

    # ---- KNN state ------------------------------------------------------------------------
    z_knn = apply_transform(f_knn).astype("<f4")
    knn_labels = ytr[knn_idx]
    (MODEL_DIR / "knn-state.json").write_text(dumps_compact({
        "schemaVersion": 1, "dim": PCA_DIM, "count": int(len(knn_idx)), "metric": "euclidean",
        "k": K, "labels": [CLASS_NAMES[c] for c in knn_labels],
        "features": base64.b64encode(z_knn.tobytes()).decode("ascii"),
    }) + "\n")

    # ---- evaluation + detector statistics -------------------------------------------------
    z_test = apply_transform(f_test)
    d_test, nn_test = knn_distances(z_test, z_knn, K)
    mean_d = d_test.mean(1)
    known_te = yte < NUM_KNOWN
    knn_pred = knn_predict(nn_test, knn_labels)
    knn_acc = float((knn_pred[known_te] == yte[known_te]).mean())
    knn_acc_ref = float((knn_pred[ref_known] == yte[ref_known]).mean())
    # softmax head of the float Keras model
    x_known = to_model_input(xte[known_te])
    keras_pred = np.concatenate([model.predict(x_known[i:i + 500].astype(np.float32), verbose=0)
                                 for i in range(0, len(x_known), 500)]).argmax(1)
    keras_acc = float((keras_pred == yte[known_te]).mean())
    del x_known
    # softmax head on the int8 TFLite features (float Dense weights from the trained model)
    w, b = model.get_layer("classifier").get_weights()
    head_tfl_acc = float(((f_test[known_te] @ w + b).argmax(1) == yte[known_te]).mean())
    detectors = {
        "schemaVersion": 1,
        "knnDistance": dist_stats(mean_d[ref_known]),
        "heldOutKnnDistance": dist_stats(mean_d[ref_held]),
    }
    (MODEL_DIR / "detectors.json").write_text(json.dumps(detectors, indent=2) + "\n")
    per_class_d = {CLASS_NAMES[c]: round(float(mean_d[yte == c].mean()), 4) for c in range(10)}

    # ---- golden outputs -------------------------------------------------------------------
    s_imgs, s_labels = read_idx(DATASET_DIR / "sample-images-idx3-ubyte.gz"), yte[s_idx]
    gold_sample = [int(np.flatnonzero(s_labels == c)[0]) for c in (0, 6, 9)]  # t-shirt, shirt, ankle boot
    noise = np.random.default_rng(0).integers(0, 256, size=(IMG, IMG, 3), dtype=np.uint8)
    cases = []
    for si in gold_sample:
        cases.append(({"name": f"sample-{si}", "kind": "dataset-sample", "sampleIndex": si,
                       "testIndex": int(s_idx[si]), "label": CLASS_NAMES[s_labels[si]]},
                      to_model_input(s_imgs[si])))
    cases.append(({"name": "zeros", "kind": "constant", "value": 0}, np.zeros((IMG, IMG, 3), np.uint8)))
    cases.append(({"name": "ones255", "kind": "constant", "value": 255},
                  np.full((IMG, IMG, 3), 255, np.uint8)))
    cases.append(({"name": "noise-seed0", "kind": "noise",
                   "generator": "numpy.random.default_rng(0).integers(0, 256, size=(112,112,3), dtype=uint8)",
                   "inputBase64": base64.b64encode(noise.tobytes()).decode("ascii")}, noise))
    golden_cases = []
    for meta, x in cases:
        f = ext(x[None])[0]
        z = apply_transform(f[None])[0]
        golden_cases.append({**meta, "inputSha256": hashlib.sha256(x.tobytes()).hexdigest(),
                             "features": f32s(f), "transformed": [float(v) for v in z]})
    golden = {
        "schemaVersion": 1,
        "description": "TFLite (tf.lite.Interpreter, TF %s) outputs of model.tflite for fixed inputs. "
                       "Input = uint8 [1,112,112,3] RGB bytes, row-major HWC; dataset-sample inputs "
                       "come from datasets/fashion-mnist sample (area resize 28->112 = 4x pixel "
                       "replication, gray copied to R,G,B). 'transformed' = transform.json applied "
                       "in float64 to 'features'." % tf.__version__,
        "model": "model.tflite", "modelSha256": sha256_file(MODEL_DIR / "model.tflite"),
        "inputShape": [1, IMG, IMG, 3], "inputDtype": "uint8", "featureDim": 1280,
        "transformedDim": PCA_DIM, "cases": golden_cases,
    }
    (MODEL_DIR / "golden.json").write_text(dumps_compact(golden) + "\n")

    labels = CLASS_NAMES[:NUM_KNOWN]
    (MODEL_DIR / "labels.txt").write_text("\n".join(labels) + "\n")

    report = {
        **{k: v for k, v in log.items() if k != "history"},
        "epochHistory": log["history"],
        "kerasTestAccuracyKnown8": keras_acc, "testImagesKnown": int(known_te.sum()),
        "tfliteHeadTestAccuracyKnown8": head_tfl_acc,
        "knnTestAccuracyKnown8": knn_acc, "knnAccuracyDetectorRefSet": knn_acc_ref,
        "meanKnnDistanceByTestClass": per_class_d, "detectors": detectors,
        "modelBytes": len(tfl), **timings,
        "io": {k: {"name": v["name"], "shape": v["shape"].tolist(),
                   "shape_signature": v["shape_signature"].tolist(), "dtype": str(v["dtype"].__name__),
                   "quantization": [float(v["quantization"][0]), int(v["quantization"][1])]}
               for k, v in io.items()},
    }
    (work / "export-report.json").write_text(json.dumps(report, indent=2))
    write_model_readme(report)
    write_bundle(io)
    print(json.dumps({k: v for k, v in report.items() if k != "epochHistory"}, indent=2))


def write_model_readme(r: dict) -> None:
    d, h = r["detectors"]["knnDistance"], r["detectors"]["heldOutKnnDistance"]
    hist = r["epochHistory"]
    rows = "\n".join(
        f"| {i + 1} | {hist['loss'][i]:.4f} | {hist['accuracy'][i]:.4f} | {hist['val_loss'][i]:.4f} | "
        f"{hist['val_accuracy'][i]:.4f} | {hist['epoch_seconds'][i]:.0f} |"
        for i in range(len(hist["loss"])))
    phases = "; ".join(f"{i + 1}) {p['epochs']} epochs, peak lr {p['peakLr']}, {p['schedule']}"
                       for i, p in enumerate(r.get("phases", [])))
    per_cls = "\n".join(f"| {k} | {v} |" for k, v in r["meanKnnDistanceByTestClass"].items())
    inp, out = r["io"]["input"], r["io"]["output"]
    text = f"""# fashion-mnv2 model bundle

A small, project-owned image feature extractor for the Fashion-MNIST drift experiments.
MobileNetV2 (alpha 0.35, trained from scratch, no ImageNet weights) with 112x112x3 uint8 RGB input
and the 1280-d global-average-pool output (`feature_pool`). Full-int8 TFLite: uint8 input, float32
output, batch fixed to 1 ({r['modelBytes']:,} bytes).

The classes **bag** and **ankle boot** are held out: the network never saw them in training, the
initial KNN state has no samples of them. They are the "new class" drift.

## Files

| file | content |
|---|---|
| `model.tflite` | feature extractor, input `{inp['name']}` uint8 {inp['shape']} (shape_signature {inp['shape_signature']}, quantization scale {inp['quantization'][0]:g}, zero point {inp['quantization'][1]}), output `{out['name']}` float32 {out['shape']} |
| `model.onnx` | ONNX twin of `model.tflite` (same int8 weights as a QDQ graph, opset 13; `tflite_to_onnx.py` in `examples/model-training/`) for onnxruntime on x64/arm64; same input and output names |
| `labels.txt` | the 8 known classes in class-index order |
| `transform.json` | StandardScaler + PCA(256, whiten=False, svd_solver='full') fitted on TFLite features of 3000 known-class train images (375 per class). `transform(x) = ((x - scaler.mean) / scaler.scale - pca.mean) @ components.T`. Values are float32-rounded. |
| `knn-state.json` | 200 initial KNN samples (25 per known class, train images) in the 256-d transformed space, base64 little-endian float32, row-major |
| `detectors.json` | reference statistics of the KNN-distance monitor (mean of the 5 nearest euclidean distances to the KNN state, transformed space) |
| `golden.json` | TFLite outputs (1280-d) and transformed vectors (256-d) for 6 fixed inputs, for the TS runtime tests |
| `bundle.json` | manifest: input spec, labels, sha256 and size of every other file |

## Input pre-processing (device and reference agree exactly)

Raw RGB bytes, no normalisation (the model contains `Rescaling(1/255)` and the int8 input
quantisation maps the bytes 1:1). Resize with the area-average method (`area_resize` in
`examples/model-training/train_feature_extractor.py`: integer overlap weights, round half up). The
28x28 grayscale Fashion-MNIST images are upscaled exactly 4x (pixel replication) and the gray value
is copied to R, G and B.

## Training

* Data: Debian package `dataset-fashion-mnist` (Fashion-MNIST, MIT). Train set without bag/ankle
  boot: 48,000 images; 10 % (4,800) split off for validation ({r['valImages']:,} of them used for
  the per-epoch check), {r['trainImages']:,} for training. Augmentation: random horizontal flip.
* Adam, BatchNorm momentum 0.9, seed {r['seed']}, short "epochs" of {r['stepsPerEpoch']} steps x
  {r['batch']} images. Phases: {phases}. In total {r['epochsCompleted']} epochs,
  {r['imagesSeen']:,} training images seen (about {r['imagesSeen'] / r['trainImages']:.1f} passes
  over the training set).
* Machine: 2-core x86_64 VM, CPU only, shared with other jobs during training, TensorFlow
  {r['tensorflow']}, Keras {r['keras']}. Training time {r['trainSeconds'] / 60:.1f} min wall;
  conversion {r['convertSeconds']} s; TFLite int8 inference {r['tfliteMsPerImage']} ms/image
  (Python interpreter, 2 threads).
* Calibration (representative dataset): 200 known-class train images.

| epoch | loss | acc | val loss | val acc | seconds |
|---|---|---|---|---|---|
{rows}

Commands: see `examples/model-training/README.md`.

## Accuracy (Fashion-MNIST test set, 8 known classes, 8,000 images)

| classifier | accuracy |
|---|---|
| softmax head, Keras float model | {r['kerasTestAccuracyKnown8']:.4f} |
| softmax head on the int8 TFLite features | {r['tfliteHeadTestAccuracyKnown8']:.4f} |
| KNN k=5 (majority vote), 200-sample state, transformed 256-d space | {r['knnTestAccuracyKnown8']:.4f} |

## KNN-distance statistics (mean distance to the 5 nearest KNN-state samples, transformed space)

| set | n | mean | std | p50 | p95 | p99 |
|---|---|---|---|---|---|---|
| known classes (`knnDistance`; test images not in the committed sample) | {d['samples']} | {d['mean']:.3f} | {d['std']:.3f} | {d['p50']:.3f} | {d['p95']:.3f} | {d['p99']:.3f} |
| held out: bag, ankle boot (`heldOutKnnDistance`) | {h['samples']} | {h['mean']:.3f} | {h['std']:.3f} | {h['p50']:.3f} | {h['p95']:.3f} | {h['p99']:.3f} |

Std is the population std (ddof 0); percentiles use linear interpolation (numpy default).

Mean KNN distance per test class (all 1,000 test images of each class):

| class | mean distance |
|---|---|
{per_cls}

## Licence

* Model weights and these files: Apache-2.0 (project licence).
* Training data: Fashion-MNIST, Copyright (c) 2017 Zalando SE, MIT licence (see
  `datasets/fashion-mnist/LICENSE`).
"""
    (MODEL_DIR / "README.md").write_text(text)


def write_onnx_twin(tfl: bytes) -> None:
    """model.onnx: the same int8 weights as an ONNX QDQ graph, for onnxruntime on x64/arm64."""
    from tflite_to_onnx import tflite_to_onnx

    (MODEL_DIR / "model.onnx").write_bytes(tflite_to_onnx(tfl))


def bundle_files(model_dir: Path = MODEL_DIR) -> list:
    media = {".tflite": "application/vnd.tflite", ".onnx": "application/onnx", ".json": "application/json"}
    files = []
    for p in sorted(model_dir.iterdir()):
        if p.name == "bundle.json" or not p.is_file():
            continue
        files.append({"path": p.name, "sha256": sha256_file(p), "size": p.stat().st_size,
                      "mediaType": media.get(p.suffix, "text/plain")})
    files.sort(key=lambda f: (f["path"] != "model.tflite", f["path"]))
    return files


def model_entry() -> dict:
    twins = [{"path": "model.onnx", "format": "onnx"}] if (MODEL_DIR / "model.onnx").exists() else []
    return {"path": "model.tflite", "format": "tflite", **({"twins": twins} if twins else {})}


def stage_onnx(_args) -> None:
    """Adds the ONNX twin to the committed bundle (no retraining): model.onnx, bundle.json's
    model.twins and files (all hashes recomputed); every other field is kept."""
    write_onnx_twin((MODEL_DIR / "model.tflite").read_bytes())
    path = MODEL_DIR / "bundle.json"
    bundle = json.loads(path.read_text())
    bundle["model"] = model_entry()
    bundle["files"] = bundle_files()
    path.write_text(json.dumps(bundle, indent=2) + "\n")


def write_bundle(io: dict) -> None:
    files = bundle_files()
    bundle = {
        "schemaVersion": 1, "id": "fashion-mnv2", "version": "1.0.0",
        "createdAt": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "description": "MobileNetV2 (alpha 0.35) feature extractor trained from scratch on Fashion-MNIST "
                       "without bag and ankle boot; full-int8 TFLite, 1280-d feature_pool output.",
        "model": model_entry(),
        "input": {"name": io["input"]["name"], "shape": [1, IMG, IMG, 3], "dtype": "uint8",
                  "colorOrder": "rgb", "normalization": {"scale": 1, "offset": 0},
                  "resize": {"method": "area", "width": IMG, "height": IMG}, "grayscaleToRgb": True},
        "featureTensor": {"name": io["output"]["name"], "dim": int(io["output"]["shape"][-1])},
        "labels": CLASS_NAMES[:NUM_KNOWN],
        "heldOutLabels": [CLASS_NAMES[c] for c in HELD_OUT],
        "transform": "transform.json", "knnState": "knn-state.json", "detectors": "detectors.json",
        "files": files,
    }
    (MODEL_DIR / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=["train", "export", "all", "onnx"])
    ap.add_argument("--work-dir", default=".train-work", help="intermediate files (not committed)")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--train-limit", type=int, default=0, help="use only the first N training images")
    ap.add_argument("--steps-per-epoch", type=int, default=0, help="0 = one pass over the training images")
    ap.add_argument("--val-limit", type=int, default=0, help="use only the first N validation images")
    ap.add_argument("--resume", action="store_true", help="continue training the saved model (new phase)")
    ap.add_argument("--probe-steps", type=int, default=0, help="time N training steps and exit")
    args = ap.parse_args()
    if args.stage in ("train", "all"):
        stage_train(args)
    if args.stage in ("export", "all") and not args.probe_steps:
        stage_export(args)
    if args.stage == "onnx":
        stage_onnx(args)


if __name__ == "__main__":
    main()
