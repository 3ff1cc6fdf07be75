#!/usr/bin/python3
"""The braai d6_m7 network (VGG6) in python3-torch, for bench/cnn: loads the weights and prepared triplets that
cnn_bench wrote as .npy files into DIR, checks its scores against Rivulet's, and times batch 1 and 256 (one call, and 16 calls of 16).
Usage: torch_reference.py DIR THREADS SECONDS. Prints one JSON object."""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def main():
    d, threads, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    torch.set_num_threads(threads)
    names = json.load(open(f"{d}/layers.json"))  # the weighted layers in order: 4 Conv2D, 2 Dense
    w = {}
    for name in names:
        k = torch.from_numpy(np.load(f"{d}/{name}_kernel.npy"))
        # Keras layouts: conv (kh, kw, in, out) -> (out, in, kh, kw); dense (in, out) -> (out, in)
        w[name] = (k.permute(3, 2, 0, 1) if k.dim() == 4 else k.t()).contiguous()
        w[name + "_b"] = torch.from_numpy(np.load(f"{d}/{name}_bias.npy"))

    def net(x):  # x: (N, 63, 63, 3) channels-last, as Keras
        x = x.permute(0, 3, 1, 2)
        c1, c2, c3, c4, d1, d2 = names
        x = F.relu(F.conv2d(x, w[c1], w[c1 + "_b"]))
        x = F.relu(F.conv2d(x, w[c2], w[c2 + "_b"]))
        x = F.max_pool2d(x, 2)
        x = F.relu(F.conv2d(x, w[c3], w[c3 + "_b"]))
        x = F.relu(F.conv2d(x, w[c4], w[c4 + "_b"]))
        x = F.max_pool2d(x, 4)
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras flatten order
        x = F.relu(F.linear(x, w[d1], w[d1 + "_b"]))
        return torch.sigmoid(F.linear(x, w[d2], w[d2 + "_b"])).reshape(-1)

    triplets = torch.from_numpy(np.load(f"{d}/triplets.npy"))
    ours = np.load(f"{d}/scores.npy")
    out = {"torch_version": torch.__version__, "threads": torch.get_num_threads()}
    with torch.inference_mode():
        ref = net(triplets[:256]).numpy()
        out["max_abs_diff_vs_rivulet"] = float(np.max(np.abs(ref - ours[:256])))
        # (batch, micro-batch): 256 in one call, and 256 as 16 calls of 16 as Rivulet runs it.
        for batch, micro in ((1, 1), (256, 256), (256, 16)):
            x = triplets[:batch].contiguous()
            chunks = [x[i:i + micro] for i in range(0, batch, micro)]

            def run():
                for c in chunks:
                    net(c)

            run()  # warm-up
            n, t0 = 0, time.perf_counter()
            while True:
                run()
                n += batch
                dt = time.perf_counter() - t0
                if dt >= seconds and n >= 2 * batch:
                    break
            key = f"batch{batch}" if micro == batch else f"batch{batch}_micro{micro}"
            out[f"{key}_triplets_per_s"] = n / dt
    print(json.dumps(out))


if __name__ == "__main__":
    main()
