#!/usr/bin/env python3
"""PyTorch side of `pnpm bench`: times nn.LSTM/GRU/RNN steps for the Node driver.

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  start-up reply            {"ready": true, "torch": "1.13.1", "threads": 2, "blas": {"corename": "Zen", ...}}
                            or {"ready": false, "reason": "..."} (then the script exits)
  {"op": "prepare", "cell": "lstm"|"gru"|"rnn", "batch": B, "steps": T, "inputSize": I,
   "hiddenSize": H, "layers": L, "mode": "forward"|"train", "seed": 0, "calls": N (streaming, optional)}
                         -> {"ok": true}
  {"op": "step"}         -> {"ok": true, "ms": 1.23}    one step of the prepared measurement
                                                       (streaming: the median ms per call)
  {"op": "release"}      -> {"ok": true}
  {"op": "verify"}       -> {"ok": true, "productRelError": 1e-7, "lstmMaxAbsError": 1e-7}
                            float32 against float64 on this process's BLAS kernel
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


def blas_info():
    """The BLAS this torch runs on: the OpenBLAS library loaded in this process and its kernel."""
    info = {"library": None, "corename": None, "config": None,
            "coretypeEnv": os.environ.get("OPENBLAS_CORETYPE")}
    try:
        info["torchConfig"] = torch.__config__.show()
    except Exception as error:  # noqa: BLE001
        info["torchConfig"] = f"unavailable: {error}"
    # torch.mm on a product large enough to reach the BLAS makes sure it is loaded, then look it up
    # in this process's mappings (torch links it indirectly through the system libblas).
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = [line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line]
        if paths:
            import ctypes

            info["library"] = paths[0]
            lib = ctypes.CDLL(paths[0])
            for name in ("openblas_get_corename", "openblas_get_config"):
                fn = getattr(lib, name, None)
                if fn is not None:
                    fn.restype = ctypes.c_char_p
                    info["corename" if name.endswith("corename") else "config"] = fn().decode()
    except Exception as error:  # noqa: BLE001 - reported, never fatal
        info["error"] = f"{type(error).__name__}: {error}"
    return info


def verify():
    """This process's float32 results against float64: a product and a small LSTM (the BLAS check)."""
    g = torch.Generator().manual_seed(1)
    a = torch.randn(192, 320, generator=g)
    b = torch.randn(320, 256, generator=g)
    exact = a.double() @ b.double()
    product = ((a @ b).double() - exact).abs().max().item() / exact.abs().max().item()
    torch.manual_seed(2)
    lstm = torch.nn.LSTM(48, 96, num_layers=2, batch_first=True)
    x = torch.randn(8, 24, 48, generator=g)
    with torch.no_grad():
        out32, _ = lstm(x)
        out64, _ = lstm.double()(x.double())
    recurrent = (out32.double() - out64).abs().max().item()
    return {"productRelError": product, "lstmMaxAbsError": recurrent}


reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_info()})

MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
current = None


def prepare(spec):
    torch.manual_seed(int(spec.get("seed", 0)))
    module = MODULES[spec["cell"]](
        spec["inputSize"], spec["hiddenSize"], num_layers=spec["layers"], batch_first=True
    )
    x = torch.randn(spec["batch"], spec["steps"], spec["inputSize"])
    params = list(module.parameters())
    calls = spec.get("calls")
    if calls:
        # Streaming (W5): `calls` calls of one time step each, the state carried; the step's time is
        # the median per call, each call timed on its own.
        x = torch.randn(spec["batch"], 1, spec["inputSize"])

        def run():
            times = []
            state = None
            with torch.no_grad():
                for _ in range(calls):
                    start = time.perf_counter()
                    _, state = module(x, state)
                    times.append(time.perf_counter() - start)
            times.sort()
            mid = len(times) // 2
            return (times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2) * 1000.0

        return run
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
            per_call = current()
            elapsed = (time.perf_counter() - start) * 1000.0
            reply({"ok": True, "ms": per_call if per_call is not None else elapsed})
        elif op == "verify":
            reply({"ok": True, **verify()})
        elif op == "release":
            current = None
            reply({"ok": True})
        else:
            raise ValueError(f"unknown op {op!r}")
    except Exception as error:  # noqa: BLE001 - reported to the driver as a failed measurement
        current = None
        reply({"ok": False, "error": f"{type(error).__name__}: {error}"})
