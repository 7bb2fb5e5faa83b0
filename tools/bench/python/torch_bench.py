#!/usr/bin/env python3
"""PyTorch side of `pnpm bench`: times nn.LSTM/GRU/RNN steps for the Node driver.

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  start-up reply            {"ready": true, "torch": "1.13.1", "threads": 2}
                            or {"ready": false, "reason": "..."} (then the script exits)
  {"op": "prepare", "cell": "lstm"|"gru"|"rnn", "batch": B, "steps": T, "inputSize": I,
   "hiddenSize": H, "layers": L, "mode": "forward"|"train", "seed": 0}
                         -> {"ok": true}
  {"op": "step"}         -> {"ok": true, "ms": 1.23}    one step of the prepared measurement
  {"op": "release"}      -> {"ok": true}
Errors reply {"ok": false, "error": "..."}. The driver decides warm-up and repetitions, so every
system in a run is warmed up and repeated the same way; this script only times single steps.

A step is what the Recur side does: forward over the whole batch-first sequence (under no_grad for
"forward"), or forward + mean(out**2) + the gradient of every weight (torch.autograd.grad, so nothing
accumulates between steps; no optimizer step).
"""
import json
import os
import sys
import time


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


try:
    import torch
except Exception as error:  # noqa: BLE001 - any import failure means "skip torch", with the reason
    reply({"ready": False, "reason": f"torch does not import in {sys.executable}: {error}"})
    sys.exit(0)

# Default: every core, as the reference timings were taken; the driver may pass --torch-threads.
torch.set_num_threads(int(os.environ.get("RECUR_BENCH_TORCH_THREADS") or os.cpu_count() or 1))
reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()})

MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
current = None


def prepare(spec):
    torch.manual_seed(int(spec.get("seed", 0)))
    module = MODULES[spec["cell"]](
        spec["inputSize"], spec["hiddenSize"], num_layers=spec["layers"], batch_first=True
    )
    x = torch.randn(spec["batch"], spec["steps"], spec["inputSize"])
    params = list(module.parameters())
    if spec["mode"] == "forward":

        def run():
            with torch.no_grad():
                module(x)

    elif spec["mode"] == "train":

        def run():
            out, _ = module(x)
            loss = out.pow(2).mean()
            torch.autograd.grad(loss, params)
            loss.item()

    else:
        raise ValueError(f"unknown mode {spec['mode']!r}")
    return run


for line in sys.stdin:
    if not line.strip():
        continue
    try:
        request = json.loads(line)
        op = request.get("op")
        if op == "prepare":
            current = prepare(request)
            reply({"ok": True})
        elif op == "step":
            if current is None:
                raise RuntimeError("step before prepare")
            start = time.perf_counter()
            current()
            reply({"ok": True, "ms": (time.perf_counter() - start) * 1000.0})
        elif op == "release":
            current = None
            reply({"ok": True})
        else:
            raise ValueError(f"unknown op {op!r}")
    except Exception as error:  # noqa: BLE001 - reported to the driver as a failed measurement
        current = None
        reply({"ok": False, "error": f"{type(error).__name__}: {error}"})
