"""Writes tiny-text-encoder.pt, a small BERT-like TorchScript text encoder for the tests.

forward(input_ids, attention_mask, token_type_ids) -> (token states [B, L, 16], [CLS] state [B, 16]),
the interface of a traced Hugging Face BERT. Run with PyTorch (written with torch 2.13, loaded by
libtorch 2.7.1 in the tests): `python make_tiny_text_encoder.py`.
"""
import torch


class TinyTextEncoder(torch.nn.Module):
    def __init__(self, vocab: int = 64, hidden: int = 16, max_len: int = 64):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, hidden)
        self.pos = torch.nn.Embedding(max_len, hidden)
        self.seg = torch.nn.Embedding(2, hidden)
        self.norm = torch.nn.LayerNorm(hidden)
        self.dropout = torch.nn.Dropout(0.1)
        self.mix = torch.nn.Linear(hidden, hidden)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor):
        positions = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        x = self.norm(self.tok(input_ids) + self.pos(positions) + self.seg(token_type_ids))
        m = attention_mask.unsqueeze(-1).to(x.dtype)
        context = (x * m).sum(1, keepdim=True) / m.sum(1, keepdim=True).clamp(min=1.0)
        h = torch.tanh(self.mix(self.dropout(x + context)))
        return h, h[:, 0]


if __name__ == "__main__":
    torch.manual_seed(0)
    torch.jit.script(TinyTextEncoder()).save("tiny-text-encoder.pt")
