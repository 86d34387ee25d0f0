"""Write a tiny, randomly initialised BERT encoder in the Hugging Face layout.

The fine-tuning tests (tests/finetune.rs) train it for a handful of steps, so CI checks
`koe train sentiment --base transformer:<dir>` end to end in seconds: 2 layers, hidden
size 32, 4 heads, 128 positions, and the tokenizer of all-MiniLM-L6-v2 (BERT's uncased
WordPiece, 30,522 tokens), copied from the folder given. The weights are what
`transformers` initialises from a fixed seed, so every machine gets the same model.

    python3 scripts/tiny-bert.py <all-MiniLM-L6-v2 dir> <out dir>

Run by scripts/setup-transformer.sh (needs torch and transformers, which it installs).
"""

import json
import os
import shutil
import sys

import torch
from transformers import BertConfig, BertModel

TOKENIZER_FILES = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(source, "config.json"), encoding="utf-8") as f:
        vocab_size = json.load(f)["vocab_size"]
    partial = out + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    torch.manual_seed(12)
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(partial, safe_serialization=True)
    for name in TOKENIZER_FILES:
        shutil.copy(os.path.join(source, name), partial)
    shutil.rmtree(out, ignore_errors=True)
    os.rename(partial, out)
    print(f"tiny-bert: wrote {out}")


if __name__ == "__main__":
    main()
