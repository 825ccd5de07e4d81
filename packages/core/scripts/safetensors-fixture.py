"""Write src/io/__fixtures__/reference.safetensors (+ reference.json with the expected values).

Written independently of Dendrite, following the safetensors spec as the reference (Rust/Python)
implementation writes it: an 8-byte little-endian header length, a JSON header padded with spaces to
a multiple of 8 bytes, tensors ordered by dtype alignment (largest first) then name, data back to back.
The values come from PyTorch. Run: /usr/bin/python3 packages/core/scripts/safetensors-fixture.py
"""
import json
import os
import struct
import sys

import torch

assert sys.byteorder == "little", "safetensors data is little-endian; this script writes native bytes"
torch.manual_seed(7)
tensors = {
    "dense.kernel": torch.randn(3, 4, dtype=torch.float32),
    "dense.bias": torch.tensor([0.5, -1.25, 3.0, 1e-3], dtype=torch.float32),
    "half": torch.tensor([[1.0, -2.5, 65504.0], [6.1035e-05, 5.96e-08, 0.333]], dtype=torch.float16),
    "brain": torch.tensor([1.0, -0.15625, 3.140625], dtype=torch.bfloat16),
    "double": torch.tensor([0.1, -7.25], dtype=torch.float64),
    "ids": torch.tensor([0, -3, 2147483647], dtype=torch.int32),
    "long_ids": torch.tensor([[5, -9]], dtype=torch.int64),
    "bytes": torch.tensor([0, 200, 255], dtype=torch.uint8),
    "empty": torch.zeros(0, 2, dtype=torch.float32),
    "scalar": torch.tensor(2.5, dtype=torch.float32),
}
codes = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int32: "I32", torch.int64: "I64", torch.uint8: "U8",
}


def raw(t):
    # bfloat16 has no numpy dtype: reinterpret its bits as int16.
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return t.contiguous().numpy().tobytes()


order = sorted(tensors, key=lambda name: (-tensors[name].element_size(), name))
header = {"__metadata__": {"format": "pt", "written_by": "safetensors-fixture.py"}}
offset = 0
chunks = []
for name in order:
    data = raw(tensors[name])
    header[name] = {"dtype": codes[tensors[name].dtype], "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
    chunks.append(data)
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * ((8 - len(text) % 8) % 8)
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "io", "__fixtures__")
with open(os.path.join(here, "reference.safetensors"), "wb") as out:
    out.write(struct.pack("<Q", len(text)))
    out.write(text)
    for chunk in chunks:
        out.write(chunk)
expected = {
    name: {"dtype": codes[t.dtype], "shape": list(t.shape), "values": t.to(torch.float64).flatten().tolist()}
    for name, t in tensors.items()
}
with open(os.path.join(here, "reference.json"), "w") as out:
    json.dump({"metadata": header["__metadata__"], "tensors": expected}, out, indent=1)
    out.write("\n")
