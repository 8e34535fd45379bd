# The PyTorch peer's meta-training iteration (benchmark-only; imported by peer.py). Per iteration, as the
# reference trains MEND/PropMEND with one instance per step: capture u and delta of the fact through hooks and
# loss.backward(); update each transform's running statistics (Welford, in target order, so later matrices of
# a shared transform see earlier ones' rows); the transform with autograd; dense W + alpha * D~^T U~ for a
# functional edited forward on the question and locality rows; c_edit * NLL(answers) + c_loc * KL(pre || post);
# backward into the hypernetwork and alpha; gradient-norm clipping; one Adam step.
import time

import torch
import torch.nn.functional as F

STD_EPS = 1e-7


class Statistics:
    """Welford mean and sum of squared deviations per transform (float64), continued from the file's counts."""

    def __init__(self, net):
        self.state = {}
        counts = net.header["normalisation"]["counts"]
        for t in net.header["transforms"]:
            n, k = t["name"], counts.get(t["name"], 0)
            tt = net.tensors
            s = lambda std: (std.double() - STD_EPS).clamp(min=0) ** 2 * max(0, k - 1)  # noqa: E731
            self.state[n] = {
                "k": k,
                "um": tt[f"{n}.u_mean"].double().clone(),
                "us": s(tt[f"{n}.u_std"]),
                "dm": tt[f"{n}.v_mean"].double().clone(),
                "ds": s(tt[f"{n}.v_std"]),
            }

    def update(self, name, u, d):
        """Adds the rows at once (Chan's merge, equal to the row-by-row update) and returns the normaliser."""
        st = self.state[name]
        n = u.shape[0]
        k = st["k"]
        for m, s, x in (("um", "us", u.double()), ("dm", "ds", d.double())):
            mb = x.mean(0)
            m2 = ((x - mb) ** 2).sum(0)
            if k == 0:
                st[m], st[s] = mb, m2
            else:
                delta = mb - st[m]
                st[m] = st[m] + delta * n / (k + n)
                st[s] = st[s] + m2 + delta**2 * k * n / (k + n)
        st["k"] = k + n
        std = lambda s: ((s / (st["k"] - 1)).sqrt() + STD_EPS).float()  # noqa: E731
        return st["um"].float(), std(st["us"]), st["dm"].float(), std(st["ds"])


def run(spec, peer):
    t0 = time.perf_counter()
    cfg = peer.reference.load_config(spec["model"])
    with open(f"{spec['model']}/config.json") as f:
        import json

        raw = json.load(f)
    net = peer.Hypernet(spec["hypernet"])
    weights = peer.load_weights(spec["model"])
    model = peer.Llama(cfg, weights, trainable={f"{t}.weight" for t in net.targets})
    del weights
    load_s = time.perf_counter() - t0
    pad = peer.pad_id(raw)
    params = [v.requires_grad_() for k, v in net.tensors.items() if ".layers." in k]
    alpha = torch.tensor([net.alpha[t] for t in net.targets], requires_grad=True)
    optimizer = torch.optim.Adam(params + [alpha], lr=spec["lr"])
    stats = Statistics(net)
    series = {"iteration": {"warmup_s": [], "runs_s": []}}
    losses, norms = [], []
    episodes = spec["episodes"]
    for i in range(spec["warmup"] + spec["reps"]):
        ep = episodes[i % len(episodes)]
        start = time.perf_counter()
        _, us, ds = peer.capture(model, net.targets, ep["fact"])
        rows = [q["ids"] for q in ep["questions"]] + ep["locality"]
        ids, mask = peer.pad_left(rows, pad)
        B, T = ids.shape
        with torch.no_grad():
            logp_pre = F.log_softmax(model(ids, mask)[0], -1)
        overrides = {}
        for j, target in enumerate(net.targets):
            u, d = peer.keep_rows(us[target], ds[target])
            norm = stats.update(net.place[target][0]["name"], u, d)
            ut, dt = net.transform(target, u, d, norm)
            w = model.linears[target.replace(".", "#")].weight.detach()
            overrides[target] = w + alpha[j] * (dt.T @ ut)
        logp = F.log_softmax(model(ids, mask, overrides=overrides)[0], -1)
        nq = len(ep["questions"])
        edit_mask = torch.zeros(B, T)
        targets = torch.zeros(B, T, dtype=torch.long)
        for b, q in enumerate(ep["questions"]):
            for t in range(T - q["answerLength"], T):
                edit_mask[b, t - 1] = 1
                targets[b, t - 1] = ids[b, t]
        nll = -logp.gather(-1, targets[..., None])[..., 0]
        edit_loss = (nll * edit_mask).sum() / edit_mask.sum()
        loc_mask = torch.zeros(B, T)
        loc_mask[nq:] = mask[nq:].float()
        kl = (logp_pre.exp() * (logp_pre - logp)).sum(-1)
        loc_loss = (kl * loc_mask).sum() / loc_mask.sum()
        loss = spec["editCoefficient"] * edit_loss + spec["localityCoefficient"] * loc_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(params + [alpha], spec["clip"]).item())
        optimizer.step()
        losses.append(loss.item())
        took = time.perf_counter() - start
        series["iteration"]["warmup_s" if i < spec["warmup"] else "runs_s"].append(took)
    return {
        "series": series,
        "load_s": load_s,
        "check": {"first_loss": losses[0], "first_grad_norm": norms[0], "losses": losses},
    }
