"""The end-to-end pipeline of bench/jobs/e2e-fashion.yaml as a plain PyTorch script, on one core.

The same work as `chorus run bench/jobs/e2e-fashion.yaml`: Fashion-MNIST (Debian's IDX files, scaled to
[0, 1]) with 10% of the training set held out for validation; 4 MLP members 784-256-10 (Glorot-uniform
weights and zero biases, as Keras and tfjs initialise them), Adam lr 0.001, batch 128, 5 epochs each,
shuffled every epoch, the validation loss computed after every epoch (as Chorus' trainLoop does); every
member's logits on the validation and test splits; hard and soft vote; the teacher's logits on the
training split (the soft labels) and its soft targets at T = 4 (mean of the members' softmax(t/T)); a
64-unit student distilled for 10 epochs with alpha = 0.7 (loss = alpha T^2 KL(teacher || student at T)
+ (1 - alpha) CE(label, student)) and the same student trained on hard labels only (the baseline); then
accuracy, NLL and ECE (15 bins) of everything on the test split. Predictions run in batches of 1024, as
Chorus' predictLogits does.

One core: the parent sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS to 1
(bench/torchChild.ts) and this script sets torch's intra- and inter-op threads to 1. Prints one marked
JSON line (bench/emitResult.ts) with the accuracies, the time of each phase and the CPU time used.

    python3 bench/torch_pipeline.py [--seed 17] [--epochs 5] [--student-epochs 10] [--train-count N]
"""
import argparse
import gzip
import json
import resource
import sys
import time

MARKER = "@@CHORUS_BENCH_RESULT "
DATA = "/usr/share/datasets/fashion-mnist"
ECE_BINS = 15
PREDICT_BATCH = 1024


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def emit(result):
    sys.stdout.write("\n" + MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


def main():
    started = time.perf_counter()
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--student-epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--temperature", type=float, default=4.0)
    parser.add_argument("--alpha", type=float, default=0.7)
    parser.add_argument("--train-count", type=int, default=60000)
    args = parser.parse_args()
    try:
        import numpy as np
        import torch
        from torch import nn
        import torch.nn.functional as F
    except Exception as err:  # ImportError, or a broken install
        emit({"skipped": f"python3 cannot import torch: {err}"})
        return
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    imported = time.perf_counter()

    def load(split, count):
        with gzip.open(f"{DATA}/{split}-images-idx3-ubyte.gz") as f:
            images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
        with gzip.open(f"{DATA}/{split}-labels-idx1-ubyte.gz") as f:
            labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
        x = torch.from_numpy(images.astype(np.float32) / 255.0).reshape(-1, 784)[:count]
        return x, torch.from_numpy(labels.astype(np.int64))[:count]

    x_all, y_all = load("train", args.train_count)
    x_test, y_test = load("t10k", 10000)
    order = torch.randperm(x_all.shape[0])
    held = int(round(0.1 * x_all.shape[0]))
    x_val, y_val = x_all[order[:held]], y_all[order[:held]]
    x_train, y_train = x_all[order[held:]], y_all[order[held:]]
    loaded = time.perf_counter()

    def mlp(hidden):
        model = nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))
        for layer in model:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
        return model

    def logits_of(model, x):
        model.eval()
        with torch.no_grad():
            return torch.cat([model(x[i:i + PREDICT_BATCH]) for i in range(0, x.shape[0], PREDICT_BATCH)])

    def train(model, epochs, loss_of):
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        history = []
        n = x_train.shape[0]
        for _ in range(epochs):
            model.train()
            perm = torch.randperm(n)
            for b in range(0, n, args.batch):
                idx = perm[b:b + args.batch]
                optimizer.zero_grad()
                loss = loss_of(model(x_train[idx]), idx)
                loss.backward()
                optimizer.step()
                loss.item()
            history.append(F.cross_entropy(logits_of(model, x_val), y_val).item())
        return history

    def metrics(probabilities, labels):
        confidence, predicted = probabilities.max(dim=1)
        correct = (predicted == labels).float()
        nll = -torch.log(probabilities[torch.arange(labels.shape[0]), labels].clamp_min(1e-12)).mean().item()
        ece = 0.0
        for b in range(ECE_BINS):
            lower, upper = b / ECE_BINS, (b + 1) / ECE_BINS
            in_bin = (confidence > lower) & (confidence <= upper) if b > 0 else confidence <= upper
            if in_bin.any():
                ece += in_bin.float().mean().item() * abs(correct[in_bin].mean().item() - confidence[in_bin].mean().item())
        return {"accuracy": correct.mean().item(), "nll": nll, "ece": ece}

    phases = {}
    members = []
    t = time.perf_counter()
    for i in range(args.members):
        torch.manual_seed(args.seed + i)
        model = mlp(256)
        train(model, args.epochs, lambda out, idx: F.cross_entropy(out, y_train[idx]))
        members.append(model)
    phases["train"] = time.perf_counter() - t

    # Every member's logits on the test and validation splits, as Chorus' predict tasks write them (the
    # validation logits serve stacking and calibration when a job asks for them; this one does not).
    t = time.perf_counter()
    test_logits = [logits_of(m, x_test) for m in members]
    for m in members:
        logits_of(m, x_val)
    phases["predict"] = time.perf_counter() - t

    member_metrics = [metrics(F.softmax(l, dim=1), y_test) for l in test_logits]
    votes = torch.zeros(y_test.shape[0], 10)
    for l in test_logits:
        votes[torch.arange(y_test.shape[0]), l.argmax(dim=1)] += 1
    hard_accuracy = (votes.argmax(dim=1) == y_test).float().mean().item()
    soft = torch.stack([F.softmax(l, dim=1) for l in test_logits]).mean(dim=0)
    soft_metrics = metrics(soft, y_test)

    t = time.perf_counter()
    train_logits = [logits_of(m, x_train) for m in members]
    phases["softLabels"] = time.perf_counter() - t
    T, alpha = args.temperature, args.alpha
    soft_targets = torch.stack([F.softmax(l / T, dim=1) for l in train_logits]).mean(dim=0)

    def distill_loss(out, idx):
        soft_term = F.kl_div(F.log_softmax(out / T, dim=1), soft_targets[idx], reduction="batchmean")
        return alpha * T * T * soft_term + (1 - alpha) * F.cross_entropy(out, y_train[idx])

    students = {}
    for name, loss_of in [
        ("distilled", distill_loss),
        ("baseline", lambda out, idx: F.cross_entropy(out, y_train[idx])),
    ]:
        t = time.perf_counter()
        torch.manual_seed(args.seed + 100)
        student = mlp(64)
        train(student, args.student_epochs, loss_of)
        probabilities = F.softmax(logits_of(student, x_test), dim=1)
        phases[name] = time.perf_counter() - t
        students[name] = {
            **metrics(probabilities, y_test),
            "agreementWithTeacher": (probabilities.argmax(dim=1) == soft.argmax(dim=1)).float().mean().item(),
        }
    finished = time.perf_counter()
    emit({
        "wallSeconds": finished - started,
        "cpuSeconds": cpu_seconds(),
        "importSeconds": imported - started,
        "loadSeconds": loaded - imported,
        "phases": phases,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "torch": torch.__version__,
        "sizes": {"train": x_train.shape[0], "validation": x_val.shape[0], "test": x_test.shape[0]},
        "members": member_metrics,
        "meanMember": {k: sum(m[k] for m in member_metrics) / len(member_metrics) for k in member_metrics[0]},
        "hard": {"accuracy": hard_accuracy},
        "soft": soft_metrics,
        "students": students,
    })


if __name__ == "__main__":
    main()
