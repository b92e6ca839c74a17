"""Writes a big logdir with tensorboardX, as issue 16 measured: runs of scalars and histograms.

Usage: /work/.venv-tb/bin/python bench/make-big-logdir.py OUTDIR [--runs 50] [--mb 1000] [--distinct N]
--distinct N: write N runs with tensorboardX and make the others copies of them (same bytes, their own
event file names), which is much quicker on a busy machine; the reader does the same work either way.
Runs already complete in OUTDIR (from an interrupted call) are kept.
Each run: 8 scalar tags every step and 2 histogram tags (weights of ~N(0, s) with a drifting s, 10k
values, tensorboardX's default 'tensorflow' bins: ~550 non-empty buckets) every step, until the run's
share of the size is written. Deterministic (seeded)."""
import argparse
import os
import shutil

import numpy as np
from tensorboardX import SummaryWriter

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--runs", type=int, default=50)
p.add_argument("--mb", type=float, default=1000)
p.add_argument("--distinct", type=int, default=0)
a = p.parse_args()

per_run = a.mb * 1e6 / a.runs
distinct = a.distinct if 0 < a.distinct < a.runs else a.runs


def event_file(d):
    return next((os.path.join(d, f) for f in sorted(os.listdir(d)) if "tfevents" in f), None) if os.path.isdir(d) else None


for r in range(a.runs):
    d = os.path.join(a.out, f"run_{r:03d}")
    f = event_file(d)
    if f and os.path.getsize(f) >= per_run:
        continue  # complete from an earlier call
    if f:
        os.remove(f)
    if r >= distinct:
        src = event_file(os.path.join(a.out, f"run_{r % distinct:03d}"))
        os.makedirs(d, exist_ok=True)
        dst = os.path.join(d, f"events.out.tfevents.{1700000000 + r}.bench.{r}.0")
        shutil.copyfile(src, dst)
        os.utime(dst, (1.7e9 + r, 1.7e9 + r))
        print(f"{d}: copy of run_{r % distinct:03d}", flush=True)
        continue
    w = SummaryWriter(d, flush_secs=60)
    rng = np.random.default_rng(r)
    step = 0
    path = None
    while True:
        for t in range(8):
            w.add_scalar(f"metrics/m{t}", float(np.sin(step / 50 + t) + r * 0.01), step, walltime=1.7e9 + r * 1000 + step)
        s = 0.1 + 0.05 * np.sin(step / 100)
        for t in range(2):
            w.add_histogram(f"weights/layer{t}", rng.normal(0, s * (t + 1), 10_000), step, walltime=1.7e9 + r * 1000 + step)
        step += 1
        if step % 100 == 0:
            w.flush()
            path = path or next(os.path.join(d, f) for f in os.listdir(d) if "tfevents" in f)
            if os.path.getsize(path) >= per_run:
                break
    w.close()
    print(f"{d}: {step} steps, {os.path.getsize(path) / 1e6:.1f} MB", flush=True)
