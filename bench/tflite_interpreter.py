"""TF Lite's own interpreter as the comparator of `npm run bench:device` (dev-only).

Runs a .tflite model (TF Lite with its default XNNPACK delegate, what the Python prototype runs)
over the frames in a raw input file, once per thread count, and prints one JSON object:
{"tfliteVersion": "...", "runs": [{"threads": 1, "cpuMsMedian": .., "wallMsMedian": ..}, ...],
 "features": [first frame's first output, as floats]}.

usage: python bench/tflite_interpreter.py MODEL INPUTS.bin --frames N --warmup W --threads 1,2
INPUTS.bin holds N + W frames, each exactly one input tensor's bytes (uint8 or float32).
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def run(model: str, frames: np.ndarray, warmup: int, threads: int) -> dict:
    interp = tf.lite.Interpreter(model_path=model, num_threads=threads)
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    shape = [1 if d < 0 else int(d) for d in inp["shape_signature"]]
    interp.resize_tensor_input(inp["index"], shape)
    interp.allocate_tensors()
    cpu, wall = [], []
    for i, frame in enumerate(frames):
        interp.set_tensor(inp["index"], frame.reshape(shape))
        c0, w0 = time.process_time(), time.perf_counter()
        interp.invoke()
        c1, w1 = time.process_time(), time.perf_counter()
        if i >= warmup:
            cpu.append((c1 - c0) * 1000)
            wall.append((w1 - w0) * 1000)
    interp.set_tensor(inp["index"], frames[0].reshape(shape))
    interp.invoke()
    features = interp.get_tensor(out["index"]).reshape(-1).astype(float).tolist()
    return {
        "threads": threads,
        "cpuMsMedian": round(statistics.median(cpu), 4),
        "wallMsMedian": round(statistics.median(wall), 4),
        "features": features,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("inputs")
    p.add_argument("--frames", type=int, required=True)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--threads", default="1")
    p.add_argument("--dtype", choices=["uint8", "float32"], default="uint8")
    a = p.parse_args()
    raw = np.fromfile(a.inputs, dtype=np.uint8 if a.dtype == "uint8" else np.float32)
    frames = raw.reshape(a.frames + a.warmup, -1)
    runs = [run(a.model, frames, a.warmup, int(t)) for t in a.threads.split(",")]
    features = runs[0].pop("features")
    for r in runs[1:]:
        r.pop("features")
    print(json.dumps({"tfliteVersion": tf.__version__, "runs": runs, "features": features}))


if __name__ == "__main__":
    sys.exit(main())
