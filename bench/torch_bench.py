"""The `pytorch-cpu` implementation of `pnpm bench`: the same workloads as src/workloads.ts, in PyTorch.

Started by src/main.ts (src/peers/pytorch.ts) in a process of its own, like the Node workers, and
speaking their protocol: it writes an ImplementationReport (src/records.ts) as JSON to the file named
by BENCH_REPORT_FILE after every workload (atomically: temp file, then rename).

    python3 torch_bench.py <inputs.json>

<inputs.json> is written by the bench: the workloads to run (name, unit), quick or not, the data
folder, and the shared initial parameters and the shuffled order of the training images, so PyTorch
trains the very model the other implementations train, on batches in the same order.

PyTorch runs on 2 threads (torch.set_num_threads(2)), float32, idiomatically: torch.nn modules,
F.cross_entropy, torch.optim.Adam, loss.item() read every step. Epochs use batches pre-shuffled into
one contiguous tensor before the clock starts (slices of it are contiguous views).
"""

import gzip
import json
import os
import re
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

THREADS = 2
SLOW_RUN_MILLISECONDS = 1000
QUICK_PLAN = {"warmup": 1, "min_runs": 1, "min_milliseconds": 1000, "max_runs": 5}
LEARNING_RATE = 1e-3
MLP_BATCH = 128
CNN_BATCH = 64
INFERENCE_BATCH = 256
CONV_INPUT = (64, 28, 28, 8)  # NHWC, as the other implementations; PyTorch gets it as NCHW
CONV_FILTER = (5, 5, 8, 16)  # HWIO
MLP_QUICK_BATCHES = 50
CNN_QUICK_BATCHES = 100


# --- data -------------------------------------------------------------------------------------------

def read_idx(path):
    """An IDX file (gzip) as a numpy array of its shape (uint8)."""
    with gzip.open(path, "rb") as file:
        content = file.read()
    zero, kind, dimensions = struct.unpack(">HBB", content[:4])
    if zero != 0 or kind != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {content[:4].hex()})")
    shape = struct.unpack(f">{dimensions}I", content[4:4 + 4 * dimensions])
    data = np.frombuffer(content, dtype=np.uint8, offset=4 + 4 * dimensions)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape}, found {data.size} bytes of data")
    return data.reshape(shape)


def load_fashion_mnist(folder):
    """Images as float32 [n, 784] in [0, 1] (pixel / 255, as @dendrite/datasets), labels as int64."""
    def images(name):
        return torch.from_numpy((read_idx(os.path.join(folder, name)).reshape(-1, 784).astype(np.float32) / np.float32(255)))

    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(folder, name)).astype(np.int64))

    return {
        "train_images": images("train-images-idx3-ubyte.gz"),
        "train_labels": labels("train-labels-idx1-ubyte.gz"),
        "test_images": images("t10k-images-idx3-ubyte.gz"),
        "test_labels": labels("t10k-labels-idx1-ubyte.gz"),
    }


# --- timing -----------------------------------------------------------------------------------------

def measure_median_milliseconds(run, plan):
    """The same rule as src/statistics.ts: warm-ups (stopping after a slow one), then timed runs."""
    for _ in range(plan["warmup"]):
        start = time.perf_counter()
        run()
        if (time.perf_counter() - start) * 1000 > SLOW_RUN_MILLISECONDS:
            break
    times = []
    total = 0.0
    while len(times) < plan["max_runs"] and (len(times) < plan["min_runs"] or total < plan["min_milliseconds"]):
        start = time.perf_counter()
        run()
        elapsed = (time.perf_counter() - start) * 1000
        times.append(elapsed)
        total += elapsed
    return statistics.median(times), len(times)


class Contention:
    """Share of all cores other processes used while we ran, as src/contention.ts measures it."""

    @staticmethod
    def snapshot():
        with open("/proc/stat") as file:
            fields = [int(value) for value in file.readline().split()[1:]]
        ticks = os.sysconf("SC_CLK_TCK")
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        total = sum(fields[:8])
        own = time.process_time()
        return {"busy": (total - idle) / ticks, "total": total / ticks, "own": own}

    @staticmethod
    def others_busy(start, end):
        total = end["total"] - start["total"]
        if total <= 0:
            return 0.0
        others = end["busy"] - start["busy"] - (end["own"] - start["own"])
        return min(1.0, max(0.0, others / total))


# --- models -----------------------------------------------------------------------------------------

def parameter_tensor(parameter):
    return torch.tensor(parameter["values"], dtype=torch.float32).reshape(parameter["shape"])


def mlp_model(parameters):
    """784-128-64-10 with relu; the shared weights are [in, out], nn.Linear's are [out, in]."""
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    values = [parameter_tensor(parameter) for parameter in parameters]
    with torch.no_grad():
        for layer, (weight, bias) in zip([model[0], model[2], model[4]], zip(values[0::2], values[1::2])):
            layer.weight.copy_(weight.t())
            layer.bias.copy_(bias)
    return model


def cnn_model(parameters):
    """conv 5x5x8 same relu, pool 2, conv 5x5x16 same relu, pool 2, dense 10 (input: flat 784 pixels)."""
    model = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(7 * 7 * 16, 10),
    )
    conv1_filter, conv1_bias, conv2_filter, conv2_bias, dense_weight, dense_bias = [parameter_tensor(p) for p in parameters]
    with torch.no_grad():
        # Filters: HWIO -> OIHW.
        model[1].weight.copy_(conv1_filter.permute(3, 2, 0, 1))
        model[1].bias.copy_(conv1_bias)
        model[4].weight.copy_(conv2_filter.permute(3, 2, 0, 1))
        model[4].bias.copy_(conv2_bias)
        # The shared dense weight reads the pooled map flattened as (h, w, c); nn.Flatten gives (c, h, w).
        model[8].weight.copy_(dense_weight.reshape(7, 7, 16, 10).permute(3, 2, 0, 1).reshape(10, 7 * 7 * 16))
        model[8].bias.copy_(dense_bias)
    return model


def adam(model):
    return torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8)


def train_step(model, optimizer, images, labels):
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def test_accuracy(model, data, image_limit):
    total = min(len(data["test_labels"]), image_limit or len(data["test_labels"]))
    correct = 0
    with torch.no_grad():
        for first in range(0, total, 1000):
            count = min(1000, total - first)
            logits = model(data["test_images"][first:first + count])
            correct += int((logits.argmax(dim=1) == data["test_labels"][first:first + count]).sum())
    return correct / total


# --- workloads --------------------------------------------------------------------------------------

class Bench:
    def __init__(self, inputs):
        self.inputs = inputs
        self.quick = inputs["quick"]
        self._data = None

    def data(self):
        if self._data is None:
            self._data = load_fashion_mnist(self.inputs["dataFolder"])
        return self._data

    def plan(self, full):
        return QUICK_PLAN if self.quick else full

    def run(self, name):
        """(value, details) of one workload, or a string: why it is not run."""
        matmul = re.fullmatch(r"matmul (\d+)", name)
        if matmul:
            return self.matmul(int(matmul.group(1)))
        handlers = {
            "conv2d fwd+bwd 64x28x28x8": self.conv,
            "mlp train step": lambda: self.train_step(mlp_model, "mlp", MLP_BATCH, {"warmup": 5, "min_runs": 20, "min_milliseconds": 2000, "max_runs": 200}),
            "cnn train step": lambda: self.train_step(cnn_model, "cnn", CNN_BATCH, {"warmup": 2, "min_runs": 5, "min_milliseconds": 3000, "max_runs": 40}),
            "mlp epoch": lambda: self.epoch(mlp_model, "mlp", MLP_BATCH, MLP_QUICK_BATCHES),
            "cnn epoch": lambda: self.epoch(cnn_model, "cnn", CNN_BATCH, CNN_QUICK_BATCHES),
            "mlp epoch (fit loop)": lambda: self.loader_epoch(mlp_model, "mlp", MLP_BATCH, MLP_QUICK_BATCHES),
            "cnn epoch (fit loop)": lambda: self.loader_epoch(cnn_model, "cnn", CNN_BATCH, CNN_QUICK_BATCHES),
            "mlp inference 256": lambda: self.inference(mlp_model, "mlp"),
            "cnn inference 256": lambda: self.inference(cnn_model, "cnn"),
        }
        handler = handlers.get(name)
        if handler is None:
            return "not implemented in torch_bench.py"
        return handler()

    def matmul(self, size):
        generator = torch.Generator().manual_seed(size)
        a = torch.randn(size, size, generator=generator)
        b = torch.randn(size, size, generator=generator)
        milliseconds, runs = measure_median_milliseconds(lambda: torch.mm(a, b), self.plan({"warmup": 2, "min_runs": 5, "min_milliseconds": 1000, "max_runs": 50}))
        return 2 * size ** 3 / (milliseconds * 1e6), {"runs": runs}

    def conv(self):
        generator = torch.Generator().manual_seed(3)
        batch, height, width, channels = CONV_INPUT
        kernel_height, kernel_width, _, filters = CONV_FILTER
        images = torch.randn(batch, channels, height, width, generator=generator).requires_grad_()
        kernel = (torch.randn(filters, channels, kernel_height, kernel_width, generator=generator) * 0.1).requires_grad_()

        def run():
            # Gradients with respect to the input and the filter, as `grad(sum(conv2d(x, f)))` elsewhere.
            torch.autograd.grad(F.conv2d(images, kernel, padding="same").sum(), [images, kernel])

        milliseconds, runs = measure_median_milliseconds(run, self.plan({"warmup": 2, "min_runs": 3, "min_milliseconds": 3000, "max_runs": 20}))
        return milliseconds, {"runs": runs}

    def train_step(self, make_model, kind, batch_size, plan):
        data = self.data()
        model = make_model(self.inputs["parameters"][kind])
        optimizer = adam(model)
        images = data["train_images"][:batch_size]
        labels = data["train_labels"][:batch_size]
        milliseconds, runs = measure_median_milliseconds(lambda: train_step(model, optimizer, images, labels), self.plan(plan))
        return milliseconds, {"runs": runs}

    def inference(self, make_model, parameters_name):
        data = self.data()
        model = make_model(self.inputs["parameters"][parameters_name]).eval()
        images = data["test_images"][:INFERENCE_BATCH]

        def run():
            with torch.inference_mode():
                model(images)

        milliseconds, runs = measure_median_milliseconds(run, self.plan({"warmup": 5, "min_runs": 20, "min_milliseconds": 2000, "max_runs": 1000}))
        return INFERENCE_BATCH / (milliseconds / 1000), {"runs": runs}

    def epoch_record(self, model, seconds, loss_sum, batches_run, batches_per_epoch, data):
        accuracy = test_accuracy(model, data, 2000 if self.quick else None)
        log(f"{batches_run}/{batches_per_epoch} batches in {seconds:.2f} s, mean loss {loss_sum / batches_run:.4f}, test accuracy {accuracy:.4f}")
        return seconds * batches_per_epoch / batches_run, {
            "loss": loss_sum / batches_run, "testAccuracy": accuracy, "extrapolated": batches_run < batches_per_epoch,
            "batchesRun": batches_run, "batchesPerEpoch": batches_per_epoch,
        }

    def epoch(self, make_model, kind, batch_size, quick_batches):
        """One epoch in the shared shuffled order, the batches made contiguous before the clock starts."""
        data = self.data()
        model = make_model(self.inputs["parameters"][kind])
        optimizer = adam(model)
        order = torch.tensor(self.inputs["order"], dtype=torch.int64)
        images = data["train_images"][order].contiguous()
        labels = data["train_labels"][order].contiguous()
        count = len(labels)
        batches_per_epoch = -(-count // batch_size)
        batches_run = min(batches_per_epoch, quick_batches) if self.quick else batches_per_epoch
        loss_sum = 0.0
        start = time.perf_counter()
        for batch in range(batches_run):
            first = batch * batch_size
            loss = train_step(model, optimizer, images[first:first + batch_size], labels[first:first + batch_size])
            if not np.isfinite(loss):
                raise RuntimeError(f"training diverged: loss {loss} at batch {batch + 1}")
            loss_sum += loss
        seconds = time.perf_counter() - start
        return self.epoch_record(model, seconds, loss_sum, batches_run, batches_per_epoch, data)

    def loader_epoch(self, make_model, kind, batch_size, quick_batches):
        """PyTorch's own data loop: a DataLoader over a TensorDataset, shuffled (its own seeded order)."""
        data = self.data()
        model = make_model(self.inputs["parameters"][kind])
        optimizer = adam(model)
        dataset = torch.utils.data.TensorDataset(data["train_images"], data["train_labels"])
        loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(self.inputs["shuffleSeed"]))
        batches_per_epoch = len(loader)
        batches_run = min(batches_per_epoch, quick_batches) if self.quick else batches_per_epoch
        loss_sum = 0.0
        start = time.perf_counter()
        for batch, (images, labels) in enumerate(loader):
            if batch == batches_run:
                break
            loss_sum += train_step(model, optimizer, images, labels)
        seconds = time.perf_counter() - start
        return self.epoch_record(model, seconds, loss_sum, batches_run, batches_per_epoch, data)


def log(message):
    sys.stderr.write(f"[pytorch-cpu] {message}\n")
    sys.stderr.flush()


def save(path, report):
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w") as file:
        json.dump(report, file)
    os.replace(temporary, path)


def blas_library():
    """The BLAS torch's matmul loaded (Debian's torch links the generic libblas.so.3, an alternative)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    try:
        with open("/proc/self/maps") as file:
            libraries = {os.path.basename(line.split()[-1]) for line in file if "blas" in line.lower() and "/" in line}
    except OSError:
        return "BLAS unknown"
    openblas = sorted(name for name in libraries if "openblas" in name.lower())
    return ", ".join(openblas or sorted(libraries)) or "BLAS unknown"


def describe():
    blas = blas_library()
    return f"PyTorch {torch.__version__} on the CPU ({blas}, oneDNN {'on' if torch.backends.mkldnn.is_available() else 'off'}), {torch.get_num_threads()} threads, float32"


def main():
    if len(sys.argv) != 2 or "BENCH_REPORT_FILE" not in os.environ:
        sys.exit("usage: BENCH_REPORT_FILE=<report.json> python3 torch_bench.py <inputs.json> (use `pnpm bench --impl pytorch-cpu`)")
    report_file = os.environ["BENCH_REPORT_FILE"]
    with open(sys.argv[1]) as file:
        inputs = json.load(file)
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    # Rows the bench decided before starting us (e.g. the Dendrite-only layers rows) come with their reasons.
    report = {"impl": "pytorch-cpu", "backend": describe(), "records": [], "skipped": list(inputs["skipped"])}
    log(report["backend"])
    save(report_file, report)
    bench = Bench(inputs)
    errors = []
    start = Contention.snapshot()
    for workload in inputs["workloads"]:
        name = workload["name"]
        log(f"{name}: running")
        try:
            outcome = bench.run(name)
            if isinstance(outcome, str):
                report["skipped"].append({"name": name, "impl": "pytorch-cpu", "reason": outcome})
                log(f"{name}: not supported ({outcome})")
            else:
                value, details = outcome
                report["records"].append({"name": name, "impl": "pytorch-cpu", "value": value, "unit": workload["unit"], "details": details})
                log(f"{name}: {value:.4g} {workload['unit']}{' (extrapolated)' if details.get('extrapolated') else ''}")
        except Exception as error:  # one failed workload keeps the others' numbers, as in worker.ts
            errors.append(f"{name}: {error}")
            log(f"{name}: FAILED {error!r}")
        if errors:
            report["error"] = "; ".join(errors)
        report["othersBusy"] = Contention.others_busy(start, Contention.snapshot())
        save(report_file, report)
    log(f"other processes used {round(report['othersBusy'] * 100) if 'othersBusy' in report else 0}% of the cores meanwhile")


if __name__ == "__main__":
    main()
