#!/usr/bin/env bash
# koe's SentenceEmbedder (rust-bert + libtorch) against Python `transformers` on the same
# all-MiniLM-L6-v2 weights, the same CPU, batch size and libtorch thread count.
#
#   benches/transformer_vs_python.sh TSV [N=2000] [BATCH=32] [THREADS=1]
#
# TSV is a `label<TAB>text` file with a header (e.g. TweetEval's sentiment validation
# split); the first N texts are embedded. Both sides: one warm-up batch, then the N texts
# timed, truncation at 256 tokens (MiniLM's max_seq_length), mean pooling over the
# attention mask and L2 normalisation, no gradients. koe sorts texts by length before
# batching; Python is timed both in input order (plain AutoModel use) and length-sorted
# (what sentence-transformers' encode does). Prints docs/s and the ratio koe / python.
set -euo pipefail
cd "$(dirname "$0")/.."
TSV="${1:?usage: $0 TSV [N] [BATCH] [THREADS]}"
N="${2:-2000}"; BATCH="${3:-32}"; THREADS="${4:-1}"

[ -f target/transformer.env ] || scripts/setup-transformer.sh
# shellcheck disable=SC1091
. target/transformer.env
python -c 'import transformers' 2>/dev/null \
    || python -m pip install -q --disable-pip-version-check "transformers==4.46.3"

# KOE_BENCH_PROFILE=dev reuses a test build: its dependencies (tokenizers) are built at
# opt-level 2 and the work is libtorch's, so it measures nearly what release does.
if [ "${KOE_BENCH_PROFILE:-release}" = dev ]; then
    cargo build -q --features transformer --example embed_bench
    BIN="${CARGO_TARGET_DIR:-target}/debug/examples/embed_bench"
else
    cargo build -q --release --features transformer --example embed_bench
    BIN="${CARGO_TARGET_DIR:-target}/release/examples/embed_bench"
fi
KOE_DEVICE=cpu "$BIN" "$KOE_MINILM_DIR" "$TSV" "$N" "$BATCH" "$THREADS" | tee target/embed_bench_koe.txt

python - "$KOE_MINILM_DIR" "$TSV" "$N" "$BATCH" "$THREADS" <<'PY' | tee target/embed_bench_python.txt
import sys, time
import torch
from transformers import AutoModel, AutoTokenizer

model_dir, tsv, n, batch, threads = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
texts = []
with open(tsv, encoding="utf-8") as f:
    next(f)
    for line in f:
        if "\t" in line:
            texts.append(line.rstrip("\n").split("\t", 1)[1])
texts = texts[:n]
tok = AutoTokenizer.from_pretrained(model_dir)
model = AutoModel.from_pretrained(model_dir).eval()

def embed(chunk):
    enc = tok(chunk, padding=True, truncation=True, max_length=256, return_tensors="pt")
    out = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
    mean = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(mean, p=2, dim=1)

def run(order):
    vecs = [None] * len(texts)
    for i in range(0, len(order), batch):
        idx = order[i:i + batch]
        for j, v in zip(idx, embed([texts[k] for k in idx])):
            vecs[j] = v
    return vecs

with torch.no_grad():
    embed(texts[:batch])
    for name, order in [
        ("input-order", list(range(len(texts)))),
        ("length-sorted", sorted(range(len(texts)), key=lambda k: -len(tok(texts[k], truncation=True, max_length=256)["input_ids"]))),
    ]:
        start = time.perf_counter()
        vecs = run(order)
        secs = time.perf_counter() - start
        print(f"python-{name} docs {len(texts)} batch {batch} threads {threads} seconds {secs:.3f} docs/s {len(texts) / secs:.1f}")
    print("python first [" + ", ".join(f"{x:.5f}" for x in vecs[0][:4].tolist()) + "]")
PY

koe=$(sed -n 's/^koe .*docs\/s \([0-9.]*\)$/\1/p' target/embed_bench_koe.txt)
for kind in input-order length-sorted; do
    py=$(sed -n "s/^python-$kind .*docs\/s \([0-9.]*\)\$/\1/p" target/embed_bench_python.txt)
    python -c "print(f'koe / python ($kind): {$koe / $py:.2f}x  ({$koe:.1f} vs {$py:.1f} docs/s)')"
done
