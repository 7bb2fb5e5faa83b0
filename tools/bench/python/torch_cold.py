#!/usr/bin/env python3
"""Cold start of PyTorch, in a fresh Python process: from just before `import torch` to the first
output of a streaming call (B1, one time step). Prints one JSON line: {"ms": ...}.
Usage: torch_cold.py <lstm|gru|rnn> <inputSize> <hiddenSize>  (OPENBLAS_CORETYPE as the bench chose)"""
import json
import sys
import time

start = time.perf_counter()
import torch  # noqa: E402

cell, input_size, hidden_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](
    input_size, hidden_size, batch_first=True
)
with torch.no_grad():
    out, _ = module(torch.randn(1, 1, input_size))
first = out[0, 0, 0].item()
ms = (time.perf_counter() - start) * 1000.0
print(json.dumps({"ms": ms, "check": first == first}))
