#!/usr/bin/python3
"""Writes the tiny-BERT PyTorch fixtures of BertTorchCheckpointsTest and TorchSaveReaderTest.

Run once with Debian's python3-torch (1.13.1):  /usr/bin/python3 make_fixtures.py
(from this folder). The tests read the files it writes and never run Python.

transformers is not installed, so TinyBertModel below re-implements HuggingFace's BertModel
forward by hand, with HuggingFace's module and parameter names:
  h = LayerNorm(word[ids] + position[0..L) + token_type[0])
  per layer (post-LN):  S = Q K^T / sqrt(d) + (1 - mask) * finfo.min,
                        h = LN(h + softmax(S) V W_o^T + b_o),  h = LN(h + GELU_erf(h W_1^T + b_1) W_2^T + b_2)
  pooled = tanh(h[:, 0] W_p^T + b_p)

Files:
  config.json          HuggingFace config of the tiny model (vocab 40, hidden 8, 2 layers, 2 heads, FFN 32)
  pytorch_model.bin    torch.save(state_dict) (zip format, float32; some tensors stored as views with a
                       storage offset or non-contiguous strides; one in float64; position_ids int64)
  traced_bert.pt       torch.jit.trace of the same model (float32)
  reference.json       input rows and PyTorch's last_hidden_state / pooler_output (computed in float64)
  dtypes.bin           torch.save of half, bfloat16, int32, int64, float64, strided, offset tensors and a Parameter
  evil.bin             torch.save of a dict holding an object that pickles as os.system (must be refused)
  legacy.bin           the pre-1.6 (non-zip) torch.save format (must be refused with advice)
"""
import collections
import json
import math
import os

import torch
from torch import nn

CONFIG = {
    "architectures": ["BertModel"], "model_type": "bert", "vocab_size": 40, "hidden_size": 8,
    "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 32,
    "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
    "hidden_act": "gelu", "position_embedding_type": "absolute", "pad_token_id": 0,
}


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.register_buffer("position_ids", torch.arange(c["max_position_embeddings"]).expand((1, -1)))

    def forward(self, ids):
        length = ids.shape[1]
        x = self.word_embeddings(ids) + self.position_embeddings(self.position_ids[:, :length]) \
            + self.token_type_embeddings(torch.zeros_like(ids))
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)

    def split(self, x):
        b, length, h = x.shape
        return x.view(b, length, self.heads, h // self.heads).permute(0, 2, 1, 3)

    def forward(self, x, bias):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1]) + bias
        context = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3)
        return context.reshape(x.shape)


class DenseLayerNorm(nn.Module):
    def __init__(self, n_in, c):
        super().__init__()
        self.dense = nn.Linear(n_in, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseLayerNorm(c["hidden_size"], c)

    def forward(self, x, bias):
        return self.output(self.self(x, bias), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))  # the erf GELU, HF's "gelu"


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseLayerNorm(c["intermediate_size"], c)

    def forward(self, x, bias):
        a = self.attention(x, bias)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, bias):
        for layer in self.layer:
            x = layer(x, bias)
        return x


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class TinyBertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, ids, mask):
        h = self.embeddings(ids)
        m = mask.to(h.dtype)[:, None, None, :]
        bias = (1.0 - m) * torch.finfo(h.dtype).min
        h = self.encoder(h, bias)
        return h, self.pooler(h)


class Evil:
    """Pickles as a call of os.system; only written, never loaded."""

    def __reduce__(self):
        return os.system, ("echo this pickle must never be executed",)


def main():
    torch.manual_seed(20261124)
    model = TinyBertModel(CONFIG).eval()
    with torch.no_grad():  # values far from BERT's init, so a wrong mapping shows
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.2 * torch.randn_like(p))
            else:
                p.copy_(0.5 * torch.randn_like(p))
    ids = torch.tensor([[2, 17, 5, 33, 9, 3, 12], [2, 39, 1, 8, 3, 0, 0], [2, 4, 3, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    with open("config.json", "w") as f:
        json.dump(CONFIG, f, indent=2)

    state = model.state_dict()  # an OrderedDict with a _metadata attribute (pickled with BUILD), as HF saves
    h = CONFIG["hidden_size"]
    # query/key/value of layer 0 share one storage (offsets 0, h*h, 2*h*h), as views do.
    p = "encoder.layer.0.attention.self."
    qkv = torch.cat([state[p + "query.weight"], state[p + "key.weight"], state[p + "value.weight"]])
    for i, n in enumerate(["query", "key", "value"]):
        state[p + n + ".weight"] = qkv[i * h:(i + 1) * h]
    # a non-contiguous tensor: the transpose of a contiguous transpose (strides [1, rows])
    n = "encoder.layer.1.intermediate.dense.weight"
    state[n] = state[n].t().contiguous().t()
    assert not state[n].is_contiguous()
    # a float64 tensor (converted to float32 when read)
    state["pooler.dense.bias"] = state["pooler.dense.bias"].double()
    torch.save(state, "pytorch_model.bin")

    traced = torch.jit.trace(model, (ids, mask))
    traced.save("traced_bert.pt")

    with torch.no_grad():
        hidden, pooled = model.double()(ids, mask)
        traced_hidden, _ = traced(ids, mask)
    assert (traced_hidden.double() - hidden).abs().max() < 1e-5
    with open("reference.json", "w") as f:
        json.dump({"torch": torch.__version__, "input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                   "last_hidden_state": hidden.tolist(), "pooler_output": pooled.tolist()}, f)

    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    torch.save(collections.OrderedDict([
        ("half", torch.tensor([1.5, -2.25, 65504.0, 2.0 ** -24], dtype=torch.float16)),
        ("bfloat16", torch.tensor([1.5, -3.0, 2.0 ** 100], dtype=torch.bfloat16)),
        ("int", torch.tensor([[-7, 0], [5, 2 ** 20]], dtype=torch.int32)),
        ("long", torch.tensor([2 ** 24, -3], dtype=torch.int64)),
        ("double", torch.tensor([0.1, -1e300], dtype=torch.float64)),
        ("transposed", base.t()),
        ("offset", base.view(-1)[5:9].view(2, 2)),
        ("scalar", torch.tensor(3.5)),
        ("parameter", nn.Parameter(torch.tensor([1.0, -2.0]))),  # pickled through _rebuild_parameter
    ]), "dtypes.bin")
    torch.save({"weight": torch.zeros(2), "payload": Evil()}, "evil.bin")
    torch.save({"weight": torch.zeros(2)}, "legacy.bin", _use_new_zipfile_serialization=False)


if __name__ == "__main__":
    main()
