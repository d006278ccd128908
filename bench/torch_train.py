"""PyTorch CPU (one core) baseline for the training / soft-label benchmark.

Same architectures, optimizer (Adam, lr 0.001), loss (softmax cross-entropy), batch sizes and timing
scheme as bench/measureThroughput.ts. Prints one marked JSON line; when torch cannot be imported it
prints {"skipped": reason} instead, so the suite records why.

One core: the parent sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS to 1 (bench/torchChild.ts;
Debian's torch otherwise runs OpenMP/OpenBLAS threads that set_num_threads does not stop), and this script
sets torch's intra- and inter-op threads to 1. Every timed window reports its CPU time (getrusage, every
thread of the process), so the parent can refuse a figure that used more than one core.

    python3 bench/torch_train.py --model mlp|cnn --batch 128 --target 3 [--infer]
"""
import argparse
import gzip
import json
import math
import os
import platform
import resource
import sys
import time

MARKER = "@@CHORUS_BENCH_RESULT "
DATA = "/usr/share/datasets/fashion-mnist"


ONE_CORE_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def cpu_seconds():
    """User + system CPU time of this process, every thread."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def emit(result):
    sys.stdout.write("\n" + MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["mlp", "cnn"], required=True)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--target", type=float, default=3.0)
    parser.add_argument("--min-steps", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=100000)
    parser.add_argument("--infer", action="store_true")
    parser.add_argument("--version", action="store_true")
    args = parser.parse_args()
    try:
        import numpy as np
        import torch
        from torch import nn
    except Exception as err:  # ImportError, or a broken install
        emit({"skipped": f"python3 cannot import torch: {err}", "python": platform.python_version()})
        return
    if args.version:
        emit({"torch": torch.__version__, "python": platform.python_version()})
        return
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)

    def load(split):
        with gzip.open(f"{DATA}/{split}-images-idx3-ubyte.gz") as f:
            images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
        with gzip.open(f"{DATA}/{split}-labels-idx1-ubyte.gz") as f:
            labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
        x = torch.from_numpy(images.astype(np.float32) / 255.0)
        shape = (-1, 784) if args.model == "mlp" else (-1, 1, 28, 28)
        return x.reshape(shape), torch.from_numpy(labels.astype(np.int64))

    if args.model == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    else:
        # 28 -> 26 -> 13 -> 11 -> 5: valid padding, as in the tfjs model.
        model = nn.Sequential(
            nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(5 * 5 * 32, 10),
        )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    x_train, y_train = load("train")
    n = x_train.shape[0]
    offset = 0

    def run_steps(steps):
        # Like trainLoop: gather a shuffled batch, step, read the loss back.
        nonlocal offset
        start, cpu = time.perf_counter(), cpu_seconds()
        order = (torch.randperm(steps * args.batch) + offset) % n
        offset += steps * args.batch
        model.train()
        for b in range(steps):
            idx = order[b * args.batch:(b + 1) * args.batch]
            xb, yb = x_train[idx], y_train[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            loss.item()
        return time.perf_counter() - start, cpu_seconds() - cpu

    first, first_cpu = run_steps(1)
    from_first = first > 5 * args.target
    warmup, per_step = (0, first) if from_first else (first, first)
    if not from_first and first < args.target / 4:
        s, _ = run_steps(3)
        warmup += s
        per_step = s / 3
    if from_first:
        steps, seconds, train_cpu = 1, first, first_cpu
    else:
        steps = min(args.max_steps, max(args.min_steps, math.ceil(args.target / per_step)))
        seconds, train_cpu = run_steps(steps)
    result = {
        "engine": "torch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "env": {name: os.environ.get(name) for name in ONE_CORE_ENV},
        "train": {
            "samplesPerSecond": steps * args.batch / seconds,
            "samplesPerCpuSecond": steps * args.batch / train_cpu,
            "steps": steps,
            "seconds": seconds,
            "cpuSeconds": train_cpu,
            "firstStepSeconds": first,
            "warmupSeconds": warmup,
            "fromFirstStep": from_first,
        },
    }
    if args.infer:
        x_test, _ = load("t10k")
        model.eval()
        batch = 1024
        with torch.no_grad():
            model(x_test[:batch]).numpy()
            samples, start, t0, cpu0 = 0, batch % x_test.shape[0], time.perf_counter(), cpu_seconds()
            while samples == 0 or time.perf_counter() - t0 < args.target:
                end = min(x_test.shape[0], start + batch)
                model(x_test[start:end]).numpy()
                samples += end - start
                start = end % x_test.shape[0]
            seconds, infer_cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        result["infer"] = {
            "samplesPerSecond": samples / seconds,
            "samplesPerCpuSecond": samples / infer_cpu,
            "samples": samples,
            "seconds": seconds,
            "cpuSeconds": infer_cpu,
            "batchSize": batch,
        }
    emit(result)


if __name__ == "__main__":
    main()
