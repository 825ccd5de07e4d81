"""PyTorch reference numbers for the gpu.js backend's benchmark (bench/gpu-bench.ts), on one machine.

    python3 packages/backend-gpujs/bench/torch_bench.py OUT_DIR [DATA_DIR]

Measures, in float32 with TF32 off (so the numbers compare with gpu.js's float32 kernels):
- matmul N x N for N = 1024, 2048, 4096 (GFLOP/s, CUDA events);
- conv2d of a 32x28x28x8 batch with a 5x5x8x16 filter, 'same' padding (the benchmark's geometry);
- one epoch of the MLP 784-128-64-10 (ReLU, cross-entropy, Adam lr 1e-3, batch 128) over the
  60,000 Fashion-MNIST training images (DATA_DIR holding train-*-ubyte.gz; synthetic images of the
  same shape when absent), data already on the device, after one warm-up epoch.
Writes OUT_DIR/torch-bench.json (atomically) and prints a summary. Runs on the CPU when no CUDA
device answers (for checking the script; the numbers then say so).
"""
import gzip
import json
import os
import struct
import sys
import time

import torch


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def seconds_of(device, function, repeats):
    """Mean seconds of `function` over `repeats` runs, after one warm-up run."""
    function()
    synchronize(device)
    if device.type == "cuda":
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(repeats):
            function()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end) / 1000 / repeats
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return (time.perf_counter() - start) / repeats


def measure_matmul(device, size):
    generator = torch.Generator(device="cpu").manual_seed(size)
    a = torch.rand(size, size, generator=generator).sub_(0.5).to(device)
    b = torch.rand(size, size, generator=generator).sub_(0.5).to(device)
    repeats = 20 if device.type == "cuda" else 2
    seconds = seconds_of(device, lambda: torch.matmul(a, b), repeats)
    return {"size": size, "millisecondsPerMatmul": seconds * 1000, "gflops": 2 * size**3 / seconds / 1e9}


def measure_conv(device):
    batch, size, in_channels, out_channels, kernel = 32, 28, 8, 16, 5
    x = torch.rand(batch, in_channels, size, size, device=device)
    weight = torch.rand(out_channels, in_channels, kernel, kernel, device=device)
    seconds = seconds_of(device, lambda: torch.nn.functional.conv2d(x, weight, padding=kernel // 2), 50)
    flops = 2 * batch * size * size * out_channels * kernel * kernel * in_channels
    return {
        "shape": f"{batch}x{size}x{size}x{in_channels} * {kernel}x{kernel}x{in_channels}x{out_channels}",
        "millisecondsPerConv": seconds * 1000,
        "gflops": flops / seconds / 1e9,
    }


def read_idx(path, magic):
    with gzip.open(path, "rb") as file:
        data = file.read()
    found, count = struct.unpack(">II", data[:8])
    if found != magic:
        raise ValueError(f"{path}: not an IDX file with magic {magic} (found {found})")
    return data, count


def load_training_images(data_dir):
    """(images [60000, 784] float in [0, 1], labels int64, source description)."""
    images_path = os.path.join(data_dir, "train-images-idx3-ubyte.gz") if data_dir else ""
    labels_path = os.path.join(data_dir, "train-labels-idx1-ubyte.gz") if data_dir else ""
    if data_dir and os.path.exists(images_path) and os.path.exists(labels_path):
        image_bytes, count = read_idx(images_path, 2051)
        label_bytes, label_count = read_idx(labels_path, 2049)
        if label_count != count:
            raise ValueError(f"{labels_path}: {label_count} labels for {count} images")
        images = torch.frombuffer(bytearray(image_bytes[16:]), dtype=torch.uint8).reshape(count, 784).float().div_(255)
        labels = torch.frombuffer(bytearray(label_bytes[8:]), dtype=torch.uint8).long()
        return images, labels, f"Fashion-MNIST from {data_dir}"
    generator = torch.Generator(device="cpu").manual_seed(1)
    images = torch.rand(60000, 784, generator=generator)
    labels = torch.randint(0, 10, (60000,), generator=generator)
    return images, labels, "synthetic images (Fashion-MNIST not found: pass DATA_DIR)"


def measure_mlp_epoch(device, data_dir):
    images, labels, source = load_training_images(data_dir)
    images, labels = images.to(device), labels.to(device)
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10),
    ).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch_size = 128

    def epoch(seed):
        order = torch.randperm(images.shape[0], generator=torch.Generator(device="cpu").manual_seed(seed)).to(device)
        loss = None
        for first in range(0, images.shape[0], batch_size):
            rows = order[first:first + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(images[rows]), labels[rows])
            loss.backward()
            optimizer.step()
        return loss.item()

    epoch(0)  # warm-up: kernels chosen, memory pools filled
    synchronize(device)
    start = time.perf_counter()
    last_loss = epoch(1)
    synchronize(device)
    seconds = time.perf_counter() - start
    batches = (images.shape[0] + batch_size - 1) // batch_size
    return {
        "sizes": "784-128-64-10", "batchSize": batch_size, "samples": images.shape[0], "batches": batches,
        "seconds": seconds, "millisecondsPerBatch": seconds * 1000 / batches,
        "samplesPerSecond": images.shape[0] / seconds, "lastLoss": last_loss, "source": source,
    }


def write_atomically(path, text):
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: torch_bench.py OUT_DIR [DATA_DIR]")
    out_dir = sys.argv[1]
    data_dir = sys.argv[2] if len(sys.argv) > 2 else None
    # float32 as gpu.js computes it: no TF32 in matmuls or convolutions.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device_name = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu (no CUDA device)"
    print(f"torch {torch.__version__} on {device_name}, TF32 off")
    results = {"torch": torch.__version__, "device": device_name, "tf32": False, "matmul": [], "conv": None, "mlp": None}
    for size in (1024, 2048, 4096):
        result = measure_matmul(device, size)
        results["matmul"].append(result)
        print(f"torch matmul {size}x{size}: {result['millisecondsPerMatmul']:.3f} ms, {result['gflops']:.1f} GFLOP/s")
    results["conv"] = measure_conv(device)
    print(f"torch conv2d {results['conv']['shape']}: {results['conv']['millisecondsPerConv']:.3f} ms, {results['conv']['gflops']:.1f} GFLOP/s")
    results["mlp"] = measure_mlp_epoch(device, data_dir)
    mlp = results["mlp"]
    print(f"torch MLP {mlp['sizes']} epoch of {mlp['samples']} samples (batch {mlp['batchSize']}, Adam) on {mlp['source']}: "
          f"{mlp['seconds']:.2f} s, {mlp['millisecondsPerBatch']:.2f} ms/batch, last loss {mlp['lastLoss']:.4f}")
    os.makedirs(out_dir, exist_ok=True)
    write_atomically(os.path.join(out_dir, "torch-bench.json"), json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
