#!/usr/bin/env python3
# PyTorch oracle for one PropMEND edit (test-only; never a product dependency). Loads a model folder through
# reference.py, captures u and delta of every MLP linear for the mean next-token loss of one sequence with
# autograd, keeps rows where both are non-zero, runs Welford statistics from empty in the reference order
# (shared k, sample std + 1e-7), the shared gradient transform (two low-rank residual layers, per-mode
# scale/shift, clamp(min=0)), forms W' = W + alpha * D~^T U~ densely and returns the factors and the edited
# logits of a second sequence. Written from the PropMEND spec (sections 3.3-3.7), not from its code.
#
# Usage: propmend_reference.py MODEL_DIR --ids 1,2,3 --eval-ids 1,4,5 --hypernet H.safetensors
#                              --targets NAME[,NAME...] --out OUT.safetensors
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402


def welford(state, rows_u, rows_d):
    for r in range(rows_u.shape[0]):
        state["k"] += 1
        k = state["k"]
        if k == 1:
            state["um"], state["us"] = rows_u[r].copy(), np.zeros_like(rows_u[r])
            state["dm"], state["ds"] = rows_d[r].copy(), np.zeros_like(rows_d[r])
            continue
        for m, s, x in (("um", "us", rows_u[r]), ("dm", "ds", rows_d[r])):
            old = state[m]
            new = old + (x - old) / k
            state[s] = state[s] + (x - old) * (x - new)
            state[m] = new


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--eval-ids", required=True)
    ap.add_argument("--hypernet", required=True)
    ap.add_argument("--targets", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    cfg = reference.load_config(a.model_dir)
    params = {k: torch.from_numpy(np.array(v)).requires_grad_() for k, v in reference.load_weights(a.model_dir).items()}
    hnet = {k: torch.from_numpy(np.array(v)) for k, v in reference.read_safetensors(a.hypernet).items()}
    inv_freq = reference.inverse_frequencies(cfg)
    targets = a.targets.split(",")
    ids = [int(x) for x in a.ids.split(",")]
    eval_ids = [int(x) for x in a.eval_ids.split(",")]

    seen = {}
    plain = reference.linear

    def capturing(x, p, name):
        y = plain(x, p, name)
        if name in targets:
            y.retain_grad()
            seen[name] = (x, y)
        return y

    reference.linear = capturing
    logits = reference.forward(cfg, params, ids, inv_freq)
    reference.next_token_loss(logits, ids).backward()
    reference.linear = plain

    groups, stats, out, deltas = {}, {}, [], {}
    for name in targets:
        x, y = seen[name]
        u = x.detach().numpy()
        d = y.grad.detach().numpy()
        keep = np.logical_and(np.any(u != 0, axis=1), np.any(d != 0, axis=1))
        u, d = u[keep], d[keep]
        key = f"{u.shape[1]}x{d.shape[1]}"
        groups.setdefault(key, []).append(name)
        mode = groups[key].index(name)
        st = stats.setdefault(key, {"k": 0})
        welford(st, u, d)
        ustd = np.sqrt(st["us"] / (st["k"] - 1)) + 1e-7
        dstd = np.sqrt(st["ds"] / (st["k"] - 1)) + 1e-7
        z = torch.from_numpy(np.concatenate([(u - st["um"]) / ustd, (d - st["dm"]) / dstd], axis=1))
        for layer in range(2):
            pre = f"hnet.{key}.layers.{layer}"
            h = z @ hnet[f"{pre}.v"].T @ hnet[f"{pre}.u"].T + hnet[f"{pre}.bias"]
            h = h * hnet[f"{pre}.mode_scale"][mode] + hnet[f"{pre}.mode_shift"][mode]
            z = z + torch.clamp(h, min=0)
        ut, dt = z[:, : u.shape[1]], z[:, u.shape[1] :]
        alpha = hnet["edit_lrs"][targets.index(name)]
        out.append((f"u.{name}", ut.numpy()))
        out.append((f"d.{name}", (alpha * dt).numpy()))
        deltas[f"{name}.weight"] = alpha * dt.T @ ut

    edited = {k: (v.detach() + deltas[k] if k in deltas else v.detach()) for k, v in params.items()}
    with torch.no_grad():
        out.append(("logits", reference.forward(cfg, edited, eval_ids, inv_freq).numpy()))
    reference.write_safetensors(a.out, out, "float64")


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    main(sys.argv[1:])
