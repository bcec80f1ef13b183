#!/usr/bin/env python3
"""The Decoy-DERM CNN peer's RRR step under three oneDNN modes, to see what the narrow switch of mlx costs
(docs/performance.md, "Decoy-DERM CNN: what is left"): on (PyTorch's default), first (oneDNN on except in
the parameter backward pass, as mlx runs since the narrow switch) and off (oneDNN nowhere). Prints
samples/s per mode (twice, interleaved) and a torch.profiler table of the first mode's step.
Usage: PYTHONPATH=bench python bench/derma_cnn_onednn_modes.py
"""
import torch, time
import torch.nn.functional as F
import derma_cnn_peer as p
torch.set_num_threads(1)
x,y,m = p.make_data(32)
def step(model, opt, xb, yb, mb, mode):
    torch.backends.mkldnn.enabled = mode != 'off'
    loss = F.cross_entropy(model(xb), yb) + p.rrr(model, xb, yb, mb)
    opt.zero_grad(set_to_none=True)
    if mode == 'first': torch.backends.mkldnn.enabled = False
    loss.backward()
    torch.backends.mkldnn.enabled = True
    opt.step()
for mode in ['on','first','off','on','first','off']:
    torch.manual_seed(0); model = p.derma_net(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for i in range(0,32,16): step(model,opt,x[i:i+16],y[i:i+16],m[i:i+16],mode)
    t0=time.perf_counter()
    for r in range(2):
        for i in range(0,32,16): step(model,opt,x[i:i+16],y[i:i+16],m[i:i+16],mode)
    print(mode, round(64/(time.perf_counter()-t0),1), flush=True)
from torch.profiler import profile, ProfilerActivity
torch.manual_seed(0); model = p.derma_net(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
step(model,opt,x[:16],y[:16],m[:16],'first')
with profile(activities=[ProfilerActivity.CPU]) as prof:
    for i in range(0,32,16): step(model,opt,x[i:i+16],y[i:i+16],m[i:i+16],'first')
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=14))
