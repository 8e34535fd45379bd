#!/usr/bin/env python3
# The PyTorch peer of the benchmark suite (benchmark-only; never part of the product). Given the same case
# spec file as bench/suite/ours.ts (model folder, token ids, hypernetwork file, threads, repetitions), it runs
# the same computation the way the PropMEND reference implementation is structured: a Llama of nn.Linear
# modules, forward hooks storing each target linear's input and full backward hooks storing its output
# gradient, loss.backward(), the shared gradient transform, W + alpha * D~^T U~ as new weights for a
# functional edited forward, and greedy answers with a KV cache. fp32, torch.set_num_threads(threads).
# Prints one JSON line (bench/suite/spec.ts SideResult). Needs torch and numpy only.
# Usage: /usr/bin/python3 bench/peer/peer.py SPEC.json
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "parity"))
import reference  # noqa: E402  (config.json reading and rotary frequencies, shared with the parity oracle)

MASKED = -1e9


# ---- files ---------------------------------------------------------------------------------------------------


def read_safetensors(path):
    """{name: float32 torch tensor} and the metadata, reading through a memory map (no second copy of the file)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    raw = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        buf = raw[begin:end]
        if entry["dtype"] == "BF16":
            arr = (buf.view("<u2").astype(np.uint32) << 16).view(np.float32)
        elif entry["dtype"] == "F32":
            arr = np.array(buf.view("<f4"))
        elif entry["dtype"] == "F16":
            arr = buf.view("<f2").astype(np.float32)
        else:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {entry['dtype']}")
        out[name] = torch.from_numpy(arr.reshape(entry["shape"]))
    return out, header.get("__metadata__", {})


def load_weights(model_dir):
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(model_dir, name))[0])
    return weights


# ---- the model: nn.Linear modules, so hooks attach where the reference attaches them ------------------------


class Llama(torch.nn.Module):
    def __init__(self, cfg, weights, trainable=()):
        super().__init__()
        self.cfg = cfg
        self.inv_freq = torch.from_numpy(reference.inverse_frequencies(cfg))
        self.embed = torch.nn.Parameter(weights["model.embed_tokens.weight"], requires_grad=False)
        self.head = None if cfg["tied"] else torch.nn.Parameter(weights["lm_head.weight"], requires_grad=False)
        self.linears = torch.nn.ModuleDict()
        self.norms = torch.nn.ParameterDict()
        for name, w in weights.items():
            key = name[: -len(".weight")].replace(".", "#")
            if name.endswith("_proj.weight"):
                lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=False)
                lin.weight = torch.nn.Parameter(w, requires_grad=name in trainable)
                self.linears[key] = lin
            elif name.endswith("norm.weight"):
                self.norms[key] = torch.nn.Parameter(w, requires_grad=name in trainable)

    def linear(self, name, x, overrides):
        w = overrides.get(name) if overrides else None
        return self.linears[name.replace(".", "#")](x) if w is None else F.linear(x, w)

    def rms(self, name, x):
        w = self.norms[name.replace(".", "#")]
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.cfg["eps"]))

    def forward(self, ids, mask, past=None, last_only=False, overrides=None):
        """Logits [B, T or 1, V] and the new KV cache; positions skip padding, as our runtime's do."""
        cfg = self.cfg
        B, T = ids.shape
        H, KV, D = cfg["heads"], cfg["kv_heads"], cfg["head_dim"]
        seen = past["seen"] if past else torch.zeros(B, dtype=torch.long)
        pos = torch.where(mask == 1, torch.cumsum(mask, 1) - 1 + seen[:, None], torch.zeros_like(mask))
        key_mask = torch.cat([past["mask"], mask], 1) if past else mask
        P = key_mask.shape[1] - T
        causal = torch.arange(P + T)[None, :] <= (P + torch.arange(T))[:, None]
        allowed = causal[None, None] & (key_mask[:, None, None, :] == 1)
        bias = torch.where(allowed, torch.tensor(0.0), torch.tensor(MASKED))
        freqs = pos.double()[..., None] * self.inv_freq
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos().float()[:, None], emb.sin().float()[:, None]
        x = self.embed[ids]
        cache = {"k": [], "v": [], "mask": key_mask, "seen": seen + mask.sum(1)}
        for layer in range(cfg["layers"]):
            p = f"model.layers.{layer}"
            h = self.rms(f"{p}.input_layernorm", x)
            q = self.linear(f"{p}.self_attn.q_proj", h, overrides).view(B, T, H, D).transpose(1, 2)
            k = self.linear(f"{p}.self_attn.k_proj", h, overrides).view(B, T, KV, D).transpose(1, 2)
            v = self.linear(f"{p}.self_attn.v_proj", h, overrides).view(B, T, KV, D).transpose(1, 2)
            q = q * cos + reference.rotate_half(q) * sin
            k = k * cos + reference.rotate_half(k) * sin
            if past:
                k = torch.cat([past["k"][layer], k], 2)
                v = torch.cat([past["v"][layer], v], 2)
            cache["k"].append(k)
            cache["v"].append(v)
            kr = k.repeat_interleave(H // KV, dim=1)
            vr = v.repeat_interleave(H // KV, dim=1)
            scores = q @ kr.transpose(2, 3) / math.sqrt(D) + bias
            attn = torch.softmax(scores, -1) @ vr
            x = x + self.linear(f"{p}.self_attn.o_proj", attn.transpose(1, 2).reshape(B, T, H * D), overrides)
            h = self.rms(f"{p}.post_attention_layernorm", x)
            gate = self.linear(f"{p}.mlp.gate_proj", h, overrides)
            up = self.linear(f"{p}.mlp.up_proj", h, overrides)
            x = x + self.linear(f"{p}.mlp.down_proj", F.silu(gate) * up, overrides)
        if last_only:
            x = x[:, -1:]
        x = self.rms("model.norm", x)
        head = self.embed if self.head is None else self.head
        return x @ head.T, cache


def pad_left(rows, pad):
    T = max(len(r) for r in rows)
    ids = torch.tensor([[pad] * (T - len(r)) + list(r) for r in rows], dtype=torch.long)
    mask = torch.tensor([[0] * (T - len(r)) + [1] * len(r) for r in rows], dtype=torch.long)
    return ids, mask


def pad_id(cfg_raw):
    pad = cfg_raw.get("pad_token_id")
    if pad is None:
        eos = cfg_raw.get("eos_token_id")
        pad = (eos[0] if isinstance(eos, list) else eos) if eos is not None else 0
    return pad


def eos_ids(cfg_raw):
    eos = cfg_raw.get("eos_token_id")
    return set(eos if isinstance(eos, list) else ([] if eos is None else [eos]))


@torch.no_grad()
def greedy(model, prompts, max_new, pad, eos, overrides):
    """Greedy decoding with a KV cache: one prefill, then one token per step; finished rows feed masked pads."""
    ids, mask = pad_left(prompts, pad)
    logits, cache = model(ids, mask, last_only=True, overrides=overrides)
    out = [[] for _ in prompts]
    done = [False] * len(prompts)
    for produced in range(max_new):
        best = logits[:, -1].argmax(-1).tolist()
        nxt = []
        for r, token in enumerate(best):
            nxt.append(pad if done[r] else token)
            if done[r]:
                continue
            if token in eos:
                done[r] = True
                continue
            out[r].append(token)
        if all(done) or produced + 1 == max_new:
            break
        step_mask = torch.tensor([[0 if d else 1] for d in done], dtype=torch.long)
        logits, cache = model(torch.tensor([[t] for t in nxt]), step_mask, past=cache, last_only=True, overrides=overrides)
    return out


# ---- PropMEND: hooks, transform, edit --------------------------------------------------------------------------


class Hypernet:
    def __init__(self, path):
        tensors, meta = read_safetensors(path)
        self.header = json.loads(meta["propmend.hypernet"])
        self.tensors = tensors
        self.targets = [p[: -len(".weight")] for p in self.header["target_params"]]
        self.alpha = dict(zip(self.targets, self.header["alpha"]))
        self.place = {}
        for t in self.header["transforms"]:
            for mode, param in enumerate(t["params"]):
                self.place[param[: -len(".weight")]] = (t, mode)

    def params(self):
        return [v for k, v in self.tensors.items() if ".layers." in k]

    def transform(self, target, u, d, norm=None):
        """(U~, D~) for one target: normalise [u ; delta], two low-rank residual layers with modes, clamp at 0.
        norm = (u mean, u std, delta mean, delta std); by default the statistics stored in the file."""
        t, mode = self.place[target]
        n, tt = t["name"], self.tensors
        um, ustd, dm, dstd = norm or (tt[f"{n}.u_mean"], tt[f"{n}.u_std"], tt[f"{n}.v_mean"], tt[f"{n}.v_std"])
        z = torch.cat([(u - um) / ustd, (d - dm) / dstd], 1)
        for layer in range(2):
            p = f"{n}.layers.{layer}"
            h = z @ tt[f"{p}.v"].T @ tt[f"{p}.u"].T + tt[f"{p}.bias"]
            h = h * tt[f"{p}.mode_scale"][mode] + tt[f"{p}.mode_shift"][mode]
            z = z + torch.clamp(h, min=0)
        return z[:, : t["x_dim"]], z[:, t["x_dim"] :]


def capture(model, targets, ids, scored_from=1):
    """Inner CLM loss on one row; u (layer input) and delta (output gradient) of each target via hooks."""
    store_u, store_d, handles = {}, {}, []
    for name in targets:
        mod = model.linears[name.replace(".", "#")]
        handles.append(mod.register_forward_hook(lambda m, i, o, name=name: store_u.__setitem__(name, i[0].detach())))
        handles.append(
            mod.register_full_backward_hook(lambda m, gi, go, name=name: store_d.__setitem__(name, go[0].detach()))
        )
    x = torch.tensor([ids], dtype=torch.long)
    logits, _ = model(x, torch.ones_like(x))
    loss = F.cross_entropy(logits[0, scored_from - 1 : -1], x[0, scored_from:], reduction="mean")
    loss.backward()
    for h in handles:
        h.remove()
    model.zero_grad(set_to_none=True)  # the reference logs these parameter gradients, then zeroes them
    u = {k: v.reshape(-1, v.shape[-1]) for k, v in store_u.items()}
    d = {k: v.reshape(-1, v.shape[-1]) for k, v in store_d.items()}
    return loss, u, d


def keep_rows(u, d):
    """Rows where both u and delta are non-zero (the reference's mask: drops the last position and padding)."""
    keep = (u != 0).any(1) & (d != 0).any(1)
    return u[keep], d[keep]


def edit_case(spec):
    t0 = time.perf_counter()
    cfg = reference.load_config(spec["model"])
    with open(os.path.join(spec["model"], "config.json")) as f:
        raw = json.load(f)
    net = Hypernet(spec["hypernet"])
    weights = load_weights(spec["model"])
    model = Llama(cfg, weights, trainable={f"{t}.weight" for t in net.targets})
    del weights
    load_s = time.perf_counter() - t0
    pad, eos = pad_id(raw), eos_ids(raw)
    series, check = {}, {}
    for i in range(spec["warmup"] + spec["reps"]):
        start = time.perf_counter()
        loss, us, ds = capture(model, net.targets, spec["fact"])
        t1 = time.perf_counter()
        overrides, first_fro = {}, None
        with torch.no_grad():
            for target in net.targets:
                u, d = keep_rows(us[target], ds[target])
                ut, dt = net.transform(target, u, d)
                delta_w = net.alpha[target] * (dt.T @ ut)  # dense d_out x d_in, as the reference's functional edit
                if first_fro is None:
                    first_fro = delta_w.norm().item()
                    rows = u.shape[0]
                overrides[target] = model.linears[target.replace(".", "#")].weight + delta_w
        t2 = time.perf_counter()
        answers = greedy(model, spec["questions"], spec["maxNewTokens"], pad, eos, overrides)
        t3 = time.perf_counter()
        del overrides
        times = {"edit": t3 - start, "capture": t1 - start, "transform": t2 - t1, "answer": t3 - t2}
        for k, v in times.items():
            entry = series.setdefault(k, {"warmup_s": [], "runs_s": []})
            entry["warmup_s" if i < spec["warmup"] else "runs_s"].append(v)
        check = {
            "inner_loss": loss.item(),
            "rows": rows,
            "first_target": net.targets[0],
            "first_target_update_fro": first_fro,
            "first_answer_ids": answers[0],
            "answers_ids": " | ".join(" ".join(str(t) for t in a) for a in answers),
        }
    return {"series": series, "load_s": load_s, "check": check}


def forward_backward_case(spec):
    t0 = time.perf_counter()
    cfg = reference.load_config(spec["model"])
    weights = load_weights(spec["model"])
    model = Llama(cfg, weights, trainable=set(weights))
    model.embed.requires_grad_(True)
    if model.head is not None:
        model.head.requires_grad_(True)
    del weights
    load_s = time.perf_counter() - t0
    series, check = {}, {}
    for shape, rows in spec["batches"].items():
        x = torch.tensor(rows, dtype=torch.long)
        entry = series.setdefault(shape, {"warmup_s": [], "runs_s": []})
        for i in range(spec["warmup"] + spec["reps"]):
            start = time.perf_counter()
            logits, _ = model(x, torch.ones_like(x))
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
            loss.backward()
            took = time.perf_counter() - start
            model.zero_grad(set_to_none=True)
            entry["warmup_s" if i < spec["warmup"] else "runs_s"].append(took)
            check[f"loss_{shape}"] = loss.item()
    return {"series": series, "load_s": load_s, "check": check}


def blas_in_use():
    info = torch.__config__.show()
    for line in info.splitlines():
        if "BLAS_INFO" in line:
            return line.strip()
    libs = []
    with open("/proc/self/maps") as f:
        for line in f:
            if "blas" in line.lower():
                libs.append(line.split()[-1])
    return ", ".join(sorted(set(libs))) or "unknown"


def main(argv):
    with open(argv[0]) as f:
        spec = json.load(f)
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    kind = spec["kind"]
    if kind == "edit":
        result = edit_case(spec)
    elif kind == "forward-backward":
        result = forward_backward_case(spec)
    elif kind == "metatrain":
        import peer_metatrain  # noqa: PLC0415

        result = peer_metatrain.run(spec, sys.modules[__name__])
    else:
        raise ValueError(f"unknown case kind {kind!r}")
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path.lower() or "lapack" in path.lower():
                libs.add(os.path.realpath(path))
    result.update(
        side="peer",
        peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        versions={
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "blas": ", ".join(sorted(libs)) or blas_in_use(),
            "torch_threads": str(torch.get_num_threads()),
            "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""),
        },
    )
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main(sys.argv[1:])
