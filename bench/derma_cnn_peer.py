#!/usr/bin/env python3
"""The peer of `mlx bench -m derma-cnn`: idiomatic PyTorch eager, the same network and the same work per step.

Workload as mlx's bench (mlx-app BenchImages, BenchCommand): N generated 3x64x64 images (labels i % 2, a
signal in the top or bottom half, a decoy patch in the top-left corner whose mask is 1), batch 16, Adam,
median of R timed epochs after one warm-up epoch. Network: the Decoy-DERM CNN ("medium-large" DermaNet,
mlx-plugins-vision PaperCnns.dermaNet):
  Conv(3,32,k3,s1,p1) R Conv(32,32,k4,s2,p1) R Conv(32,64,k4,s1,p1) R Conv(64,64,k4,s2,p1) R
  Flatten Linear(14400,1024) R Linear(1024,1024) R Linear(1024,2)
Methods, with mlx's default hyper-parameters (engine/method/*Provider.java):
  erm      CE
  rrr      CE + lam * sum((m * dCE_i/dx)^2) / B + lam * wl2 * sum(W^2)      (create_graph)
  cert-r4  CE + lam * mean(|eta_L m| + |eta_U m|), interval bounds forward and backward over x +- eps*m
  rand-r4  CE + lam * (||max_s |g(x + d_s m) - g(x)| m||_2 / nnz(m) + wc * sum(W^2)), S = 10, d ~ U(-eps, eps)
  adv-r4   CE + lam * (sum((m * (g(x_adv) - g(x)))^2) / B + wc * sum(W^2)), x_adv by T = 10 signed PGD steps
           on that difference (rand-r4 and adv-r4 as ../shared/bench/torch_peer.py does them for the MLP)
Prints 'method samples_per_s' lines.
Usage: derma_cnn_peer.py [--threads T] [--methods erm,rrr,cert-r4,rand-r4,adv-r4] [--examples 32] [--batch 16] [--repeats 3]
"""
import argparse, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


def make_data(n, side=64, channels=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    h = torch.arange(side).view(1, 1, side, 1)
    signal = ((h < side // 2) == (y.view(n, 1, 1, 1) == 0)).float()
    patch = max(1, side // 4)
    m = torch.zeros(n, channels, side, side)
    m[:, :, :patch, :patch] = 1
    x = 0.3 * torch.rand(n, channels, side, side, generator=g) + 0.5 * signal + m * y.view(n, 1, 1, 1)
    return x, y, m


def derma_net():
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, 1, 1), nn.ReLU(), nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(),
        nn.Conv2d(32, 64, 4, 1, 1), nn.ReLU(), nn.Conv2d(64, 64, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(14400, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 2))


def weights(model):
    return [l.weight for l in model if isinstance(l, (nn.Conv2d, nn.Linear))]


def rrr(model, x, y, m, lam=10.0, wl2=1e-4):
    xg = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(xg), y, reduction="sum"), xg, create_graph=True)
    return lam * ((g * m).square().sum() / x.shape[0] + wl2 * sum(w.square().sum() for w in weights(model)))


def ce_logit_grad_bounds(zl, zu, y):
    c = zl.shape[1]
    eye = torch.eye(c)
    off = 1 - eye
    def own(o, others):
        st = others.unsqueeze(1) * off + o.unsqueeze(2) * eye
        return (st.softmax(2) * eye).sum(2)
    oh = F.one_hot(y, c).to(zl.dtype)
    return own(zl, zu) - oh, own(zu, zl) - oh


def interval_mul(al, au, bl, bu):
    p = torch.stack([al * bl, al * bu, au * bl, au * bu])
    return p.min(0).values, p.max(0).values


def cert_r4(model, x, y, m, lam=15.0, eps=0.5):
    l, u = x - eps * m, x + eps * m
    saved = []
    for layer in model:
        saved.append((l, u))
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            c, r = (l + u) / 2, (u - l) / 2
            if isinstance(layer, nn.Conv2d):
                cc = layer(c)
                rr = F.conv2d(r, layer.weight.abs(), None, layer.stride, layer.padding)
            else:
                cc = layer(c)
                rr = F.linear(r, layer.weight.abs())
            l, u = cc - rr, cc + rr
        elif isinstance(layer, nn.ReLU):
            l, u = F.relu(l), F.relu(u)
        else:  # Flatten
            l, u = layer(l), layer(u)
    gl, gu = ce_logit_grad_bounds(l, u, y)
    for layer, (il, iu) in zip(reversed(model), reversed(saved)):
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            c, r = (gl + gu) / 2, (gu - gl) / 2
            if isinstance(layer, nn.Conv2d):
                s, p, k = layer.stride[0], layer.padding[0], layer.kernel_size[0]
                op = il.shape[2] - ((c.shape[2] - 1) * s - 2 * p + k)
                cc = F.conv_transpose2d(c, layer.weight, None, s, p, op)
                rr = F.conv_transpose2d(r, layer.weight.abs(), None, s, p, op)
            else:
                cc, rr = c @ layer.weight, r @ layer.weight.abs()
            gl, gu = cc - rr, cc + rr
        elif isinstance(layer, nn.ReLU):
            gl, gu = interval_mul(gl, gu, (il > 0).to(x.dtype), (iu > 0).to(x.dtype))
        else:
            gl, gu = gl.view(il.shape), gu.view(il.shape)
    term = (gl * m).abs() + (gu * m).abs()
    return lam * term.mean()


def input_grad(model, x, y, detach=True):
    if detach:
        x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(x), y, reduction="sum"), x, create_graph=True)
    return g


def wl2(model):
    return sum(w.square().sum() for w in weights(model))


def rand_r4(model, x, y, m, lam=15.0, eps=0.5, samples=10, wc=1e-4):
    # as ../shared/bench/torch_peer.py: S masked noisy copies and the clean batch in one call
    noise = (torch.rand(samples, *x.shape) * 2 - 1) * eps
    xs = torch.cat([x.unsqueeze(0) + noise * m.unsqueeze(0), x.unsqueeze(0)]).flatten(0, 1)
    g = input_grad(model, xs, y.repeat(samples + 1)).view(samples + 1, *x.shape)
    diff = ((g[:samples] - g[samples:]).abs() * m).amax(0)
    nnz = m.count_nonzero().clamp(min=1)
    return lam * (diff.square().sum().sqrt() / nnz + wc * wl2(model))


def adv_r4(model, x, y, m, lam=14.0, eps=0.5, steps=10, wc=1e-4):
    # as ../shared/bench/torch_peer.py: T signed PGD steps on the masked gradient difference
    g0 = input_grad(model, x, y)
    g0d = g0.detach()
    alpha = 2.5 * eps / steps
    xa = x + (torch.rand_like(x) * 2 - 1) * eps * m
    for _ in range(steps):
        xa = xa.detach().requires_grad_(True)
        ga = input_grad(model, xa, y, detach=False)
        (d,) = torch.autograd.grad(((ga - g0d) * m).square().sum(), xa)
        xa = x + ((xa + alpha * d.sign() * m) - x).clamp(-eps, eps) * m
    ga = input_grad(model, xa.detach(), y)
    return lam * (((ga - g0) * m).square().sum() / x.shape[0] + wc * wl2(model))


PENALTIES = {"erm": None, "rrr": rrr, "cert-r4": cert_r4, "rand-r4": rand_r4, "adv-r4": adv_r4}


def epoch(model, opt, x, y, m, batch, penalty):
    for i in range(0, x.shape[0], batch):
        xb, yb, mb = x[i:i + batch], y[i:i + batch], m[i:i + batch]
        loss = F.cross_entropy(model(xb), yb)
        if penalty is not None:
            loss = loss + penalty(model, xb, yb, mb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--methods", default="erm,rrr,cert-r4")
    ap.add_argument("--examples", type=int, default=32)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x, y, m = make_data(a.examples)
    print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}, {a.examples} images/epoch, batch {a.batch}")
    for method in a.methods.split(","):
        model = derma_net()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        epoch(model, opt, x, y, m, a.batch, PENALTIES[method])  # warm-up
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            epoch(model, opt, x, y, m, a.batch, PENALTIES[method])
            times.append(time.perf_counter() - t0)
        print(f"{method} {a.examples / statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
