#!/usr/bin/env python3
# PyTorch oracle for the parity tests (test-only; never a product dependency). Loads a Hugging Face model folder
# (config.json + safetensors; Llama and Qwen2 with GQA, RoPE incl. linear/llama3 scaling, tied or untied head),
# runs the decoder in float64 (or float32) for one token sequence and writes logits, the mean next-token loss and
# the loss gradient of every parameter to a safetensors file. Needs torch and numpy only: no transformers, no
# safetensors package. Written from the Hugging Face modelling conventions, not copied from them.
#
# Usage: reference.py MODEL_DIR --ids 1,2,3,4 --out OUT.safetensors [--dtype float64|float32]
#                     [--out-dtype float64|float32] [--fd NAME:INDEX[,NAME:INDEX...]] [--fd-eps 1e-6]
#        reference.py --many JOBS.json   (a JSON list of such argument lists, run in one process: torch is
#                                          imported once; one stdout line per job)
# Stdout: one JSON object {"loss": ..., "fd": {...}} ; errors go to stderr with exit status 2.
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch

SUPPORTED = ("llama", "qwen2")
NP_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


class OracleError(Exception):
    pass


# ---- safetensors -------------------------------------------------------------------------------------------


def read_safetensors(path):
    """Returns {name: float64 numpy array} for one file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise OracleError(f"{path} is truncated (fewer than 8 bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise OracleError(f"{path} is truncated: header needs {8 + n} bytes, file has {len(raw)}")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        dt = entry["dtype"]
        buf = data[begin:end]
        if dt == "BF16":
            u16 = np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        elif dt in NP_DTYPES:
            arr = np.frombuffer(buf, dtype=np.dtype(NP_DTYPES[dt]).newbyteorder("<"))
        else:
            raise OracleError(f"{path}: tensor {name} has unsupported dtype {dt}")
        out[name] = arr.reshape(shape)
    return out


def write_safetensors(path, tensors, dtype):
    """tensors: list of (name, numpy array); dtype 'float64' or 'float32'."""
    code, np_dt = ("F64", "<f8") if dtype == "float64" else ("F32", "<f4")
    header, blobs, offset = {}, [], 0
    for name, arr in tensors:
        b = np.ascontiguousarray(arr, dtype=np_dt).tobytes()
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def load_weights(model_dir):
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    elif os.path.exists(os.path.join(model_dir, "model.safetensors")):
        files = ["model.safetensors"]
    else:
        raise OracleError(f"{model_dir} has no model.safetensors and no model.safetensors.index.json")
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(model_dir, name)))
    return weights


# ---- config ------------------------------------------------------------------------------------------------


def load_config(model_dir):
    path = os.path.join(model_dir, "config.json")
    if not os.path.exists(path):
        raise OracleError(f"{model_dir} has no config.json")
    with open(path) as f:
        raw = json.load(f)
    family = raw.get("model_type")
    if family not in SUPPORTED:
        raise OracleError(f"{path}: model_type {family!r} not supported (valid: {', '.join(SUPPORTED)})")
    heads = raw["num_attention_heads"]
    cfg = {
        "family": family,
        "hidden": raw["hidden_size"],
        "layers": raw["num_hidden_layers"],
        "heads": heads,
        "kv_heads": raw.get("num_key_value_heads") or heads,
        "head_dim": raw.get("head_dim") or raw["hidden_size"] // heads,
        "eps": raw.get("rms_norm_eps", 1e-6),
        "tied": bool(raw.get("tie_word_embeddings", False)),
    }
    rope = raw.get("rope_parameters") or raw.get("rope_scaling") or {}
    cfg["rope_theta"] = (raw.get("rope_parameters") or {}).get("rope_theta", raw.get("rope_theta", 10000.0))
    cfg["rope"] = rope
    if family == "llama":
        cfg["qkv_bias"] = cfg["o_bias"] = bool(raw.get("attention_bias", False))
        cfg["mlp_bias"] = bool(raw.get("mlp_bias", False))
    else:
        cfg["qkv_bias"], cfg["o_bias"], cfg["mlp_bias"] = True, False, False
    if raw.get("hidden_act", "silu") not in ("silu", "swish"):
        raise OracleError(f"{path}: hidden_act {raw.get('hidden_act')!r} not supported (valid: silu)")
    return cfg


def inverse_frequencies(cfg):
    """theta^(-2i/d) with Hugging Face's default, linear and llama3 scaling, in float64."""
    d = cfg["head_dim"]
    inv = 1.0 / (cfg["rope_theta"] ** (np.arange(0, d, 2, dtype=np.float64) / d))
    rope = cfg["rope"]
    kind = rope.get("rope_type", rope.get("type", "default"))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / rope["factor"]
    if kind == "llama3":
        factor, low, high = rope["factor"], rope["low_freq_factor"], rope["high_freq_factor"]
        old = rope["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        scaled = np.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
        return np.where(medium, smoothed, scaled)
    raise OracleError(f"rope scaling type {kind!r} not supported (valid: default, linear, llama3)")


# ---- model -------------------------------------------------------------------------------------------------


def parameter_names(cfg):
    names = ["model.embed_tokens.weight"]
    for layer in range(cfg["layers"]):
        p = f"model.layers.{layer}"
        names.append(f"{p}.input_layernorm.weight")
        for proj in ("q_proj", "k_proj", "v_proj"):
            names.append(f"{p}.self_attn.{proj}.weight")
            if cfg["qkv_bias"]:
                names.append(f"{p}.self_attn.{proj}.bias")
        names.append(f"{p}.self_attn.o_proj.weight")
        if cfg["o_bias"]:
            names.append(f"{p}.self_attn.o_proj.bias")
        names.append(f"{p}.post_attention_layernorm.weight")
        for proj in ("gate_proj", "up_proj", "down_proj"):
            names.append(f"{p}.mlp.{proj}.weight")
            if cfg["mlp_bias"]:
                names.append(f"{p}.mlp.{proj}.bias")
    names.append("model.norm.weight")
    if not cfg["tied"]:
        names.append("lm_head.weight")
    return names


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def linear(x, params, name):
    y = x @ params[f"{name}.weight"].T
    bias = params.get(f"{name}.bias")
    return y if bias is None else y + bias


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(cfg, params, ids, inv_freq):
    """Logits [T, V] for one sequence of token ids at positions 0..T-1."""
    T = len(ids)
    H, KV, D = cfg["heads"], cfg["kv_heads"], cfg["head_dim"]
    dtype = params["model.embed_tokens.weight"].dtype
    pos = torch.arange(T, dtype=torch.float64)
    freqs = torch.outer(pos, torch.from_numpy(inv_freq))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(dtype), emb.sin().to(dtype)
    mask = torch.full((T, T), float("-inf"), dtype=dtype).triu(1)
    x = params["model.embed_tokens.weight"][torch.tensor(ids, dtype=torch.long)]
    for layer in range(cfg["layers"]):
        p = f"model.layers.{layer}"
        h = rms_norm(x, params[f"{p}.input_layernorm.weight"], cfg["eps"])
        q = linear(h, params, f"{p}.self_attn.q_proj").view(T, H, D).transpose(0, 1)
        k = linear(h, params, f"{p}.self_attn.k_proj").view(T, KV, D).transpose(0, 1)
        v = linear(h, params, f"{p}.self_attn.v_proj").view(T, KV, D).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # Query head j reads key/value head j // (H / KV), as Hugging Face's repeat_kv arranges them.
        k = k.repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        scores = q @ k.transpose(1, 2) / math.sqrt(D) + mask
        attn = torch.softmax(scores, dim=-1) @ v
        x = x + linear(attn.transpose(0, 1).reshape(T, H * D), params, f"{p}.self_attn.o_proj")
        h = rms_norm(x, params[f"{p}.post_attention_layernorm.weight"], cfg["eps"])
        gate = linear(h, params, f"{p}.mlp.gate_proj")
        up = linear(h, params, f"{p}.mlp.up_proj")
        x = x + linear(torch.nn.functional.silu(gate) * up, params, f"{p}.mlp.down_proj")
    x = rms_norm(x, params["model.norm.weight"], cfg["eps"])
    head = params["model.embed_tokens.weight"] if cfg["tied"] else params["lm_head.weight"]
    return x @ head.T


def next_token_loss(logits, ids):
    """Mean cross-entropy of ids[1:] predicted from positions 0..T-2 (no BOS added, nothing masked)."""
    targets = torch.tensor(ids[1:], dtype=torch.long)
    return torch.nn.functional.cross_entropy(logits[:-1], targets, reduction="mean")


def main(argv):
    ap = argparse.ArgumentParser(description="PyTorch reference: logits, loss and parameter gradients")
    ap.add_argument("model_dir")
    ap.add_argument("--ids", required=True, help="comma-separated token ids, at least 2")
    ap.add_argument("--out", required=True, help="output .safetensors path")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--out-dtype", default=None, choices=["float64", "float32"])
    ap.add_argument("--fd", default="", help="NAME:FLAT_INDEX list for central finite differences of the loss")
    ap.add_argument("--fd-eps", type=float, default=1e-6)
    args = ap.parse_args(argv)

    try:
        ids = [int(t) for t in args.ids.split(",") if t.strip()]
    except ValueError:
        raise OracleError(f"--ids must be comma-separated integers, got {args.ids!r}")
    if len(ids) < 2:
        raise OracleError("--ids needs at least 2 token ids (the loss predicts ids[1:])")
    cfg = load_config(args.model_dir)
    raw = load_weights(args.model_dir)
    torch_dtype = torch.float64 if args.dtype == "float64" else torch.float32
    names = parameter_names(cfg)
    missing = [n for n in names if n not in raw]
    if missing:
        raise OracleError(f"{args.model_dir} lacks parameters: {', '.join(missing[:8])}")
    vocab = raw["model.embed_tokens.weight"].shape[0]
    bad = [i for i in ids if i < 0 or i >= vocab]
    if bad:
        raise OracleError(f"token ids {bad} are outside the vocabulary (0..{vocab - 1})")
    params = {n: torch.tensor(np.array(raw[n], dtype=np.float64), dtype=torch_dtype, requires_grad=True) for n in names}
    inv_freq = inverse_frequencies(cfg)

    logits = forward(cfg, params, ids, inv_freq)
    loss = next_token_loss(logits, ids)
    grads = torch.autograd.grad(loss, [params[n] for n in names])

    fd = {}
    if args.fd:
        with torch.no_grad():
            for item in args.fd.split(","):
                name, index = item.rsplit(":", 1)
                if name not in params:
                    raise OracleError(f"--fd names unknown parameter {name!r}")
                flat = params[name].view(-1)
                i = int(index)
                original = flat[i].item()
                flat[i] = original + args.fd_eps
                plus = next_token_loss(forward(cfg, params, ids, inv_freq), ids).item()
                flat[i] = original - args.fd_eps
                minus = next_token_loss(forward(cfg, params, ids, inv_freq), ids).item()
                flat[i] = original
                fd[item] = (plus - minus) / (2 * args.fd_eps)

    out_dtype = args.out_dtype or args.dtype
    tensors = [("logits", logits.detach().numpy()), ("loss", loss.detach().reshape(1).numpy())]
    tensors.append(("rope.inv_freq", inv_freq))
    tensors += [(f"grad.{n}", g.numpy()) for n, g in zip(names, grads)]
    write_safetensors(args.out, tensors, out_dtype)
    print(json.dumps({"loss": loss.item(), "fd": fd}))


def main_many(jobs_file):
    """Runs several argument lists (a JSON list of lists) in one process, so torch is imported once;
    prints one JSON line per job, in order."""
    with open(jobs_file, encoding="utf-8") as f:
        jobs = json.load(f)
    if not isinstance(jobs, list) or not all(isinstance(j, list) for j in jobs):
        raise OracleError(f"{jobs_file} must hold a JSON list of argument lists")
    for job in jobs:
        main([str(a) for a in job])
        sys.stdout.flush()


if __name__ == "__main__":
    try:
        if len(sys.argv) == 3 and sys.argv[1] == "--many":
            main_many(sys.argv[2])
        else:
            main(sys.argv[1:])
    except OracleError as e:
        print(f"reference.py: {e}", file=sys.stderr)
        sys.exit(2)
