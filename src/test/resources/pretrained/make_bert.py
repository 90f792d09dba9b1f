"""Writes a small random Hugging Face BERT folder and transformers' outputs on it, for
PretrainedBertTest (the kit's --pretrained check against transformers itself).

    python make_bert.py OUT_DIR

OUT_DIR/bert/       config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
                    vocab.txt, as save_pretrained writes them
OUT_DIR/reference.json  ids, mask, token states (last_hidden_state), the [CLS] state
                    (last_hidden_state[:, 0], not the pooler) and the tokenizer's ids of a few
                    sentences, with [CLS] and [SEP]
"""
import json
import os
import sys

import torch
import transformers
from transformers import BertConfig, BertModel

try:
    from transformers import BertTokenizerFast as Tokenizer
except ImportError:  # transformers 5 names the fast tokenizer BertTokenizer
    from transformers import BertTokenizer as Tokenizer

out = sys.argv[1]
folder = os.path.join(out, "bert")
os.makedirs(folder, exist_ok=True)

words = ["the", "a", "movie", "is", "was", "good", "bad", "i", "liked", "it", "cafe", "deja", "vu",
         "naive", "resume", "play", "not", "very", "##s", "##ing", "##ed", "##ly", "un", "##known",
         "ok", ".", ",", "!", "?", "'", "-", "ok"]
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + list(dict.fromkeys(words)) + ["é", "ï"]
vocab_file = os.path.join(out, "vocab.txt")
with open(vocab_file, "w", encoding="utf-8") as f:
    f.write("\n".join(vocab) + "\n")
tokenizer = Tokenizer(vocab_file, do_lower_case=True)  # transformers 4: vocab_file, 5: vocab
tokenizer.save_pretrained(folder)
if not os.path.exists(os.path.join(folder, "vocab.txt")):
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")

torch.manual_seed(0)
config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=37, max_position_embeddings=40, type_vocab_size=2,
                    initializer_range=0.2, hidden_act="gelu", layer_norm_eps=1e-12)
config._attn_implementation = "eager"
model = BertModel(config).eval()
with torch.no_grad():  # every tensor away from its initial value, so that a swapped or unread one shows
    for p in model.parameters():
        p.add_(torch.randn_like(p) * 0.1)
model.save_pretrained(folder, safe_serialization=True)

ids = torch.tensor([[2, 12, 7, 9, 10, 17, 3], [2, 25, 18, 3, 0, 0, 0]])
mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0]])
with torch.no_grad():
    states = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state

sentences = ["Café déjà vu!", "naïve résumé, i liked it.", "The xylophone was UNKNOWN-ish",
             "not   very good ... zebra qq", "Ünïcödé ok"]
encoded = [tokenizer(s)["input_ids"] for s in sentences]
with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
    json.dump({"transformers": transformers.__version__, "torch": torch.__version__,
               "ids": ids.tolist(), "mask": mask.tolist(), "states": states.tolist(),
               "cls": states[:, 0].tolist(), "sentences": sentences, "sentence_ids": encoded}, f)
print("wrote", folder, sorted(os.listdir(folder)))
