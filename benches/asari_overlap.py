"""Was asari trained on these reviews? Its word pairs against each file's.

asari 0.2.0's TfidfVectorizer kept every word and word pair of its training split
(min_df=1), so a text it trained on has all its word pairs in the vocabulary. For each
file: how many texts of at least 8 word pairs (Janome tokens, scikit-learn's token
rule, as asari reads them) have every pair known, and the median share known. A file
asari trained on would show nearly all of its long texts fully known.

Usage (ja_sentiment_compare.sh --overlap runs it): python benches/asari_overlap.py FILE.tsv ...
"""

import gzip
import os
import re
import sys
import unicodedata

from janome.tokenizer import Tokenizer

MODEL = os.path.join(os.path.dirname(__file__), "..", "models", "ja", "asari-tfidf.tsv.gz")
WORD = re.compile(r"(?u)\b\w\w+\b")
MIN_PAIRS = 8


def main():
    with gzip.open(MODEL, "rt", encoding="utf-8") as f:
        vocabulary = {line.split("\t")[0] for line in f if not line.startswith("#")}
    tokenizer = Tokenizer(wakati=True)
    print(f"{'file':<34} {'texts ≥8 pairs':>14} {'all pairs known':>15} {'median known':>12}")
    for path in sys.argv[1:]:
        shares, full = [], 0
        with open(path, encoding="utf-8") as f:
            next(f)
            for line in f:
                text = line.rstrip("\n").partition("\t")[2]
                words = WORD.findall(
                    unicodedata.normalize("NFKC", " ".join(tokenizer.tokenize(text))).lower())
                pairs = [a + " " + b for a, b in zip(words, words[1:])]
                if len(pairs) < MIN_PAIRS:
                    continue
                share = sum(p in vocabulary for p in pairs) / len(pairs)
                shares.append(share)
                full += share == 1.0
        shares.sort()
        median = shares[len(shares) // 2] if shares else float("nan")
        print(f"{os.path.basename(path):<34} {len(shares):>14} {full:>15} {median:>12.2f}")


if __name__ == "__main__":
    main()
