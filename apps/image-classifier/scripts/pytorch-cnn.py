"""Train a small CNN on Fashion-MNIST with PyTorch and write it for Dendrite's round-trip test.

Writes, under src/__fixtures__/:
- pytorch-cnn.safetensors: the trained model's state_dict (float32, PyTorch names and layouts), written by a
  small writer that follows the safetensors spec (8-byte little-endian header length, JSON header padded with
  spaces to a multiple of 8, tensors sorted by name, data back to back), since python3-safetensors is not
  installed on Debian;
- pytorch-cnn-reference.json: the model's predicted class for all 10,000 test images (a string of digits)
  and its logits for the first 500, computed in float64 from the stored float32 weights and float32 pixels
  (each byte / 255 rounded to float32, as @dendrite/datasets scales them).

Run: /usr/bin/python3 apps/image-classifier/scripts/pytorch-cnn.py [--data DIR]   (PyTorch 1.13, CPU, seeded)
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

assert sys.byteorder == "little", "safetensors data is little-endian; this script writes native bytes"
here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--data", default=os.environ.get("DENDRITE_DATA", os.path.join(here, "..", "..", "..", "..", "shared", "data")))
parser.add_argument("--epochs", type=int, default=2)
args = parser.parse_args()
folder = os.path.join(args.data, "fashion-mnist")


def idx(name):
    with gzip.open(os.path.join(folder, name), "rb") as file:
        data = file.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def pixels(images):
    # Byte / 255 in float64, rounded once to float32: exactly what @dendrite/datasets computes.
    return torch.from_numpy((images.astype(np.float64) / 255.0).astype(np.float32)).unsqueeze(1)  # NCHW, C = 1


train_x, train_y = pixels(idx("train-images-idx3-ubyte.gz")), torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
test_x, test_y = pixels(idx("t10k-images-idx3-ubyte.gz")), torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))

torch.manual_seed(0)
torch.set_num_threads(1)  # deterministic and polite on a shared machine
# The Dendrite mirror (src/pytorch-roundtrip.test.ts) has the same indices, so the dotted names match.
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
generator = torch.Generator().manual_seed(0)
for epoch in range(args.epochs):
    order = torch.randperm(len(train_x), generator=generator)
    for start in range(0, len(order), 64):
        batch = order[start:start + 64]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}")

model.eval()
state = {name: tensor.detach().contiguous() for name, tensor in model.state_dict().items()}
with torch.no_grad():
    accuracy32 = (model(test_x).argmax(1) == test_y).double().mean().item()
    logits = model.double()(test_x.double())
predictions = logits.argmax(1)
accuracy = (predictions == test_y).double().mean().item()
print(f"test accuracy {accuracy:.4f} (float64), {accuracy32:.4f} (float32)")

fixtures = os.path.join(here, "..", "src", "__fixtures__")
header = {"__metadata__": {"format": "pt", "written_by": "apps/image-classifier/scripts/pytorch-cnn.py"}}
offset = 0
chunks = []
for name in sorted(state):
    data = state[name].numpy().astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(state[name].shape), "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
    chunks.append(data)
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * ((8 - len(text) % 8) % 8)


def write_atomically(path, payload):
    temporary = path + ".tmp"
    with open(temporary, "wb") as out:
        out.write(payload)
    os.replace(temporary, path)


write_atomically(os.path.join(fixtures, "pytorch-cnn.safetensors"), struct.pack("<Q", len(text)) + text + b"".join(chunks))
reference = {
    "recipe": f"nn.Sequential(Conv2d(1,8,3,p=1), ReLU, MaxPool2d(2), Conv2d(8,16,3,p=1), ReLU, MaxPool2d(2), Flatten, Linear(784,10)); Adam lr 1e-3, batch 64, {args.epochs} epochs, torch.manual_seed(0), torch {torch.__version__}",
    "testAccuracy": accuracy,
    "predictions": "".join(str(int(p)) for p in predictions),
    "logits": [[round(float(v), 7) for v in row] for row in logits[:500]],
}
write_atomically(os.path.join(fixtures, "pytorch-cnn-reference.json"), (json.dumps(reference, separators=(",", ":")) + "\n").encode("utf-8"))
