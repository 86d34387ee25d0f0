"""Class probabilities from Python `transformers` for a sequence-classification folder.

Reads texts from stdin, one per line, and prints one JSON line per text: the softmax
probabilities in the order of config.json's id2label. The fine-tuning test compares them
with koe's own for a model koe trained; use it to check any folder koe writes:

    printf 'great service\nthe parcel never came\n' | python3 scripts/hf_classify.py my-model

Truncates as koe does: to tokenizer_config.json's model_max_length.
"""

import json
import sys

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    texts = [line.rstrip("\n") for line in sys.stdin]
    with torch.no_grad():
        for text in texts:
            inputs = tokenizer(text, truncation=True, return_tensors="pt")
            probabilities = model(**inputs).logits.softmax(-1)[0]
            print(json.dumps([round(float(p), 7) for p in probabilities]))


if __name__ == "__main__":
    main()
