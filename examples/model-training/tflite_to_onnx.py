"""ONNX twin of a full-int8 TFLite feature extractor: the same int8 weights, biases and
quantisation parameters, as an ONNX QDQ graph (opset 13) that onnxruntime fuses back into int8
kernels (QLinearConv, QLinearAdd, ...). Built with the `onnx` package only; no converter needed.

usage: python tflite_to_onnx.py MODEL.tflite OUT.onnx

Covers the MobileNetV2 op set of TinyMLOps' models: QUANTIZE (uint8 input), CONV_2D,
DEPTHWISE_CONV_2D (per-channel int8 weights, int32 bias, fused RELU/RELU6), PAD, ADD, MEAN over
H and W, DEQUANTIZE. Any other op stops the conversion with its name. The input stays uint8 NHWC
(the device's preprocessing output, unchanged) and is transposed once to NCHW inside the graph;
input and output keep their TFLite signature names.
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tensorflow.lite.python import schema_py_generated as schema

OPS = {v: k for k, v in schema.BuiltinOperator.__dict__.items() if not k.startswith("_")}
ACT = {0: None, 1: (0.0, None), 3: (0.0, 6.0)}  # NONE, RELU, RELU6 (ActivationFunctionType)


class Converter:
    def __init__(self, model: "schema.ModelT"):
        self.m = model
        self.g = model.subgraphs[0]
        self.nodes, self.inits = [], []
        self.count = 0

    def name(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def t(self, i: int) -> "schema.TensorT":
        return self.g.tensors[i]

    def tname(self, i: int) -> str:
        return f"t{i}"

    def const(self, i: int, dtype) -> np.ndarray:
        t = self.t(i)
        raw = np.asarray(self.m.buffers[t.buffer].data, dtype=np.uint8).tobytes()
        return np.frombuffer(raw, dtype=dtype).reshape(t.shape)

    def init(self, arr: np.ndarray, hint: str) -> str:
        n = self.name(hint)
        self.inits.append(numpy_helper.from_array(arr, n))
        return n

    def qparams(self, i: int):
        q = self.t(i).quantization
        return np.float32(q.scale[0]), np.int8(q.zeroPoint[0])

    def dq(self, i: int) -> str:
        """Float view of the int8 activation tensor i."""
        s, z = self.qparams(i)
        out = self.name("dq")
        self.nodes.append(helper.make_node(
            "DequantizeLinear", [self.tname(i), self.init(np.array(s), "s"), self.init(np.array(z), "zp")], [out]))
        return out

    def q(self, x: str, i: int, act=None) -> None:
        """Quantises float x into the int8 tensor i, after the fused activation."""
        if act is not None:
            lo, hi = act
            clipped = self.name("act")
            ins = [x, self.init(np.array(lo, np.float32), "lo")] + ([self.init(np.array(hi, np.float32), "hi")] if hi else [])
            self.nodes.append(helper.make_node("Clip", ins, [clipped]))
            x = clipped
        s, z = self.qparams(i)
        self.nodes.append(helper.make_node(
            "QuantizeLinear", [x, self.init(np.array(s), "s"), self.init(np.array(z), "zp")], [self.tname(i)]))

    def weights(self, i: int, w: np.ndarray) -> str:
        q = self.t(i).quantization
        scale = np.asarray(q.scale, np.float32)
        zp = np.zeros(scale.shape, np.int8)
        out = self.name("w")
        args = [self.init(w, "wq"), self.init(scale, "ws"), self.init(zp, "wzp")]
        self.nodes.append(helper.make_node("DequantizeLinear", args, [out], axis=0))
        return out

    def bias(self, i: int) -> str:
        q = self.t(i).quantization
        b = self.const(i, np.int32)
        scale = np.asarray(q.scale, np.float32)
        out = self.name("b")
        args = [self.init(b, "bq"), self.init(scale, "bs"), self.init(np.zeros(b.shape, np.int32), "bzp")]
        self.nodes.append(helper.make_node("DequantizeLinear", args, [out], axis=0))
        return out

    def conv(self, op, depthwise: bool) -> None:
        o = op.builtinOptions
        x, w_i, b_i = op.inputs
        w = self.const(w_i, np.int8)
        if depthwise:
            if o.depthMultiplier != 1:
                raise SystemExit("DEPTHWISE_CONV_2D with depth_multiplier != 1 is not supported")
            w = np.ascontiguousarray(w.transpose(3, 0, 1, 2))  # [1,KH,KW,C] -> [C,1,KH,KW]
        else:
            w = np.ascontiguousarray(w.transpose(0, 3, 1, 2))  # [O,KH,KW,I] -> [O,I,KH,KW]
        attrs = {"strides": [o.strideH, o.strideW], "dilations": [o.dilationHFactor, o.dilationWFactor]}
        attrs["auto_pad"] = "SAME_UPPER" if o.padding == schema.Padding.SAME else "VALID"
        if depthwise:
            attrs["group"] = int(w.shape[0])
        y = self.name("conv")
        ins = [self.dq(x), self.weights(w_i, w), self.bias(b_i)]
        self.nodes.append(helper.make_node("Conv", ins, [y], **attrs))
        self.q(y, op.outputs[0], ACT[o.fusedActivationFunction])

    def op(self, op) -> None:
        code = self.m.operatorCodes[op.opcodeIndex]
        name = OPS.get(max(code.builtinCode, code.deprecatedBuiltinCode), "?")
        x, out = op.inputs[0], op.outputs[0]
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            self.conv(op, name == "DEPTHWISE_CONV_2D")
        elif name == "QUANTIZE":  # uint8 input -> int8 (requantised through float, like TFLite)
            s, z = self.t(x).quantization.scale[0], self.t(x).quantization.zeroPoint[0]
            f = self.name("in")
            args = [self.tname(x), self.init(np.array(s, np.float32), "s"), self.init(np.array(z, np.uint8), "zp")]
            self.nodes.append(helper.make_node("DequantizeLinear", args, [f]))
            self.q(f, out)
        elif name == "PAD":  # on the int8 tensor, padded with its zero point (the real value 0)
            p = self.const(op.inputs[1], np.int32)  # NHWC [[before, after], ...]
            pads = [p[0, 0], p[3, 0], p[1, 0], p[2, 0], p[0, 1], p[3, 1], p[1, 1], p[2, 1]]
            _, z = self.qparams(x)
            ins = [self.tname(x), self.init(np.array(pads, np.int64), "pads"), self.init(np.array(z), "pv")]
            self.nodes.append(helper.make_node("Pad", ins, [self.tname(out)], mode="constant"))
        elif name == "ADD":
            y = self.name("add")
            self.nodes.append(helper.make_node("Add", [self.dq(x), self.dq(op.inputs[1])], [y]))
            self.q(y, out, ACT[op.builtinOptions.fusedActivationFunction])
        elif name == "MEAN":
            if sorted(self.const(op.inputs[1], np.int32).reshape(-1).tolist()) != [1, 2]:
                raise SystemExit("MEAN over axes other than H, W is not supported")
            y, flat = self.name("gap"), self.name("flat")
            self.nodes.append(helper.make_node("GlobalAveragePool", [self.dq(x)], [y]))
            self.nodes.append(helper.make_node("Flatten", [y], [flat], axis=1))
            self.q(flat, out)
        elif name == "DEQUANTIZE":
            s, z = self.qparams(x)
            args = [self.tname(x), self.init(np.array(s), "s"), self.init(np.array(z), "zp")]
            self.nodes.append(helper.make_node("DequantizeLinear", args, [self.tname(out)]))
        else:
            raise SystemExit(f"operator {name} is not supported by tflite_to_onnx.py")

    def signature_name(self, i: int, kind: str) -> str:
        for sig in self.m.signatureDefs or []:
            for tm in getattr(sig, kind) or []:
                if tm.tensorIndex == i:
                    return tm.name.decode() if isinstance(tm.name, bytes) else tm.name
        n = self.t(i).name
        return n.decode() if isinstance(n, bytes) else n

    def convert(self) -> onnx.ModelProto:
        (inp,), (outp,) = self.g.inputs, self.g.outputs
        in_name, out_name = self.signature_name(inp, "inputs"), self.signature_name(outp, "outputs")
        in_shape = [1 if d < 0 else int(d) for d in self.t(inp).shape]
        self.nodes.append(helper.make_node("Transpose", [in_name], [self.tname(inp)], perm=[0, 3, 1, 2]))
        for op in self.g.operators:
            self.op(op)
        self.nodes.append(helper.make_node("Identity", [self.tname(outp)], [out_name]))
        graph = helper.make_graph(
            self.nodes, "tinylcm_twin",
            [helper.make_tensor_value_info(in_name, TensorProto.UINT8, in_shape)],
            [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [int(d) for d in self.t(outp).shape])],
            self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tinylcm")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def tflite_to_onnx(tflite: bytes) -> bytes:
    """The ONNX twin of a full-int8 TFLite model, serialised."""
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(tflite, 0))
    return Converter(m).convert().SerializeToString()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") else 2)
    with open(sys.argv[1], "rb") as f:
        data = tflite_to_onnx(f.read())
    with open(sys.argv[2], "wb") as f:
        f.write(data)
    print(f"wrote {sys.argv[2]} ({len(data)} bytes)")
