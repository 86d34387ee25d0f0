#!/usr/bin/env python3.11
"""Generates large synthetic voice-of-customer JSONL corpora for koe's benchmarks.

    python3.11 benches/gen_corpus.py --records 1000000 --seed 1 --out /tmp/voc-1m.jsonl
    python3.11 benches/gen_corpus.py --records 400000 --seed 1 --out /tmp/voc-400k.jsonl.gz --gzip

Records look like corpora/shop-feedback.jsonl (the fictional retailer Hanamori; about 55%
Japanese, 45% English; id, text, rating, nps, channel, stage, product, created_at and now
and then lang) and are built from the same hand-written sentence banks
(corpora/make_demo.py): six pain points, praise, neutral questions, with app-crash
complaints rising after the v5.2 update on 2026-09-08. Texts are about 20-300 characters.

Deterministic: the same --records and --seed give the same bytes (gzip output included:
no timestamp or file name in its header). Streams to disk; memory does not grow with
--records. Prints one summary line to stderr and nothing else.

Speed comes from doing the slow work once: every sentence is rendered a few times with
its fill-ins ({item}, {days}, ...) and JSON-escaped up front; a record is then a handful of
random draws, string joins and one formatted line.

Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gzip
import io
import json
import random
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left in corpora/
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpora"))
import make_demo as demo  # noqa: E402  (the sentence banks)

VARIANTS = 6  # renderings per sentence template
JA_SHARE = 0.55
THEME_WEIGHTS = {  # per day; the app theme jumps after the update
    "delivery": 70, "support": 45, "fees": 35, "damage": 30, "refunds": 25,
    "praise": 100, "neutral": 40,
}
APP_WEIGHT = (18, 120)  # before, after 2026-09-08


def esc(s: str) -> str:
    """JSON string body (no quotes); escaped pieces concatenate into valid JSON."""
    return json.dumps(s, ensure_ascii=False)[1:-1]


def table(weights: dict, size: int = 1000) -> list:
    """A lookup list: table[int(random() * len(table))] draws by weight."""
    total = sum(weights.values())
    out = []
    for k, w in weights.items():
        out.extend([k] * round(w * size / total))
    return out


class Pools:
    """Pre-rendered, pre-escaped sentences: (escaped, length, product, stage or None)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.pools: dict[tuple, list] = {}

    def get(self, theme: str, lang: str, pool: str, sub: str | None = None) -> list:
        key = (theme, lang, pool)
        if key not in self.pools:
            templates = demo.THEMES[theme][lang].get(pool) or []
            out = []
            for t in templates:
                tags, body = demo.split_tags(t)
                n = VARIANTS if "{" in body else 1
                for _ in range(n):
                    product = demo.product_for(theme, sub, self.rng, tags.get("product"))
                    text = demo.fill(body, lang, product, self.rng)
                    if lang == "ja" and self.rng.random() < 0.12:
                        # the width variants Japanese input is full of (ＡＢＣ１２３, ｱﾌﾟﾘ)
                        text = demo.to_half_kana(text) if self.rng.random() < 0.5 else \
                            demo.to_full_ascii(text)
                    out.append((esc(text), len(text), product, tags.get("stage")))
            self.pools[key] = out
        return self.pools[key]

    def plain(self, key: tuple, templates: list[str], lang: str) -> list:
        if key not in self.pools:
            out = []
            for t in templates:
                for _ in range(VARIANTS if "{" in t else 1):
                    text = demo.fill(t, lang, None, self.rng)
                    out.append((esc(text), len(text)))
            self.pools[key] = out
        return self.pools[key]


def build_tables(rng: random.Random):
    days = []
    d = demo.START
    while d <= demo.END:
        days.append(d)
        d += dt.timedelta(days=1)
    themes_pre = dict(THEME_WEIGHTS, app=APP_WEIGHT[0])
    themes_post = dict(THEME_WEIGHTS, app=APP_WEIGHT[1])

    def cumulative(weights):
        keys = list(weights)
        acc, cum = 0, []
        for k in keys:
            acc += weights[k]
            cum.append(acc)
        return keys, [c / acc for c in cum]

    return {
        "days": [(x.isoformat(), x >= demo.APP_UPDATE) for x in days],
        "theme_pre": cumulative(themes_pre),
        "theme_post": cumulative(themes_post),
        "channel": {t: table(w) for t, w in demo.CHANNEL_WEIGHTS.items()},
        "stage": {t: table(w) for t, w in demo.STAGE_WEIGHTS.items()},
        "praise_sub": table(demo.PRAISE_SUB),
        "praise_stage": {s: table(w) for s, w in demo.PRAISE_STAGE.items()},
        "rating": {
            "neg": table({1: 50, 2: 35, 3: 12, 4: 3}),
            "mixed": table({2: 30, 3: 50, 4: 20}),
            "pos": table({5: 65, 4: 32, 3: 3}),
            "neutral": table({2: 5, 3: 50, 4: 35, 5: 10}),
        },
        "nps": {
            "neg": table({0: 20, 1: 15, 2: 18, 3: 17, 4: 12, 5: 10, 6: 6, 7: 2}),
            "mixed": table({3: 10, 4: 15, 5: 25, 6: 25, 7: 20, 8: 5}),
            "pos": table({7: 8, 8: 22, 9: 30, 10: 40}),
            "neutral": table({4: 5, 5: 15, 6: 20, 7: 30, 8: 25, 9: 5}),
        },
        "hour": table(dict(zip(range(24), [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 8, 8, 9, 9, 8, 7,
                                           7, 7, 8, 10, 11, 10, 7, 3]))),
    }


def generate(n: int, seed: int, out) -> tuple[int, int]:
    rng = random.Random(seed)
    r = rng.random
    pools = Pools(random.Random(seed ^ 0x5EED))
    tb = build_tables(rng)
    days, n_days = tb["days"], len(tb["days"])
    hours = tb["hour"]
    width = max(6, len(str(n)))
    lang_tags = {"ja": ('"ja"', '"ja-JP"'), "en": ('"en"', '"en-US"')}
    emoji = {"neg": [esc(e) for e in demo.SOCIAL["emoji"]["neg"]],
             "pos": [esc(e) for e in demo.SOCIAL["emoji"]["pos"]]}
    mentions = {lang: [esc(m) for m in demo.SOCIAL["mention"][lang]] for lang in ("ja", "en")}
    closes = {(k, lang): pools.plain(("close", k, lang), demo.CLOSE[k][lang], lang)
              for k in ("neg", "mixed") for lang in ("ja", "en")}
    opens = {lang: pools.plain(("open", lang), demo.TICKET["open"][lang], lang)
             for lang in ("ja", "en")}
    ticket_closes = {lang: pools.plain(("tclose", lang), demo.TICKET["close"][lang], lang)
                     for lang in ("ja", "en")}

    def pick(seq):
        return seq[int(r() * len(seq))]

    n_ja = 0
    batch: list[str] = []
    for i in range(1, n + 1):
        day, post = days[int(r() * n_days)]
        keys, cum = tb["theme_post"] if post else tb["theme_pre"]
        theme = keys[bisect.bisect_left(cum, r())]
        lang = "ja" if r() < JA_SHARE else "en"
        if lang == "ja":
            n_ja += 1
        sep = "" if lang == "ja" else " "
        channel = pick(tb["channel"][theme])
        sub = None
        if theme == "praise":
            kind = "pos"
            sub = pick(tb["praise_sub"])
            core_pool = sub
        elif theme == "neutral":
            kind = "neutral"
            core_pool = "core"
        else:
            kind = "neg"
            core_pool = "post" if post and theme == "app" and r() < 0.7 else "core"

        parts: list[str] = []
        length = 0
        roll = r()
        if channel == "social" and roll < 0.8:
            pool = "post_social" if post and theme == "app" and r() < 0.7 else "social"
            text, length, product, stage = pick(pools.get(theme, lang, pool, sub))
            parts.append(text)
            if r() < 0.45:
                m = pick(mentions[lang])
                parts.insert(0, m + " ")
                length += len(m) + 1
            if r() < 0.5:
                e = pick(emoji["pos" if kind == "pos" else "neg"])
                parts.append(e if lang == "ja" else " " + e)
                length += 2
            if length < 20 or r() < 0.45:
                tag = esc(pick(demo.SOCIAL["tags"][theme][lang]))
                parts.append(" " + tag)
                length += len(tag) + 1
        else:
            if kind == "neg" and roll < 0.16:
                kind = "mixed"
                text, length, product, stage = pick(pools.get(theme, lang, "contrast"))
                parts.append(text)
                if r() < 0.5:
                    c, cl = pick(closes[("mixed", lang)])
                    parts.append(sep + c)
                    length += cl + 1
            else:
                text, length, product, stage = pick(pools.get(theme, lang, core_pool, sub))
                parts.append(text)
                detail = pools.get(theme, lang, "post_detail" if post and theme == "app"
                                   and r() < 0.35 else "detail")
                if detail:
                    for _ in range(int(r() * 3)):
                        d, dl, _, _ = pick(detail)
                        if length + dl > 260:
                            break
                        parts.append(sep + d)
                        length += dl + 1
                if kind == "neg" and r() < 0.3:
                    c, cl = pick(closes[("neg", lang)])
                    parts.append(sep + c)
                    length += cl + 1
            if channel == "support" and r() < 0.7:
                o, ol = pick(opens[lang])
                joiner = "\\n" if (lang == "en" and o.endswith(",")) or r() < 0.4 else sep
                parts.insert(0, o + joiner)
                length += ol + 1
                if r() < 0.5:
                    c, cl = pick(ticket_closes[lang])
                    parts.append(joiner + c)
                    length += cl + 1
            if length < 20 and theme != "neutral":
                detail = pools.get(theme, lang, "detail")
                if detail:
                    d, dl, _, _ = pick(detail)
                    parts.append(sep + d)
                    length += dl + 1
        if stage is None:
            stage = pick(tb["praise_stage"][sub]) if sub else pick(tb["stage"][theme])

        # rating / nps
        if channel == "social":
            rating_p, nps_p = 0.12, 0.0
        elif channel == "support":
            rating_p, nps_p = 0.85, 0.7
        else:
            rating_p, nps_p = 0.95, 0.8
        extra = ""
        if r() < rating_p:
            extra += f', "rating": {pick(tb["rating"][kind])}'
        if r() < nps_p:
            extra += f', "nps": {pick(tb["nps"][kind])}'

        hour = pick(hours)
        minute = int(r() * 60)
        z = r()
        if lang == "ja":
            if z < 0.05:
                created = day
            elif day == "2026-05-01" and hour < 9:
                created = f"{day}T{hour + 9:02d}:{minute:02d}:00+09:00"
            else:
                created = f"{day}T{hour:02d}:{minute:02d}:00+09:00"
        else:
            created = day if z < 0.05 else f"{day}T{hour:02d}:{minute:02d}:00Z"
        tail = f', "lang": {pick(lang_tags[lang])}' if r() < 0.03 else ""
        batch.append(
            f'{{"id": "fb-{i:0{width}d}", "text": "{"".join(parts)}"{extra}, '
            f'"channel": "{channel}", "stage": "{stage}", "product": "{product}", '
            f'"created_at": "{created}"{tail}}}\n')
        if len(batch) >= 4096:
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch))
    return n_ja, n - n_ja


def main() -> int:
    ap = argparse.ArgumentParser(description="Deterministic synthetic VoC JSONL for benchmarks.")
    ap.add_argument("--records", type=int, required=True, help="number of records")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="output file")
    ap.add_argument("--gzip", action="store_true", help="gzip the output")
    args = ap.parse_args()
    if args.records < 0:
        ap.error("--records must be >= 0")
    started = time.perf_counter()
    with open(args.out, "wb") as raw:
        if args.gzip:
            # mtime=0 and no file name: the same input gives the same bytes.
            zf = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
            sink = io.TextIOWrapper(zf, encoding="utf-8", newline="\n")
        else:
            zf = None
            sink = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        n_ja, n_en = generate(args.records, args.seed, sink)
        sink.flush()
        if zf is not None:
            sink.detach()
            zf.close()
        else:
            sink.detach()
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size
    rate = args.records / elapsed if elapsed > 0 else 0.0
    print(f"gen_corpus: {args.records} records (ja {n_ja}, en {n_en}), seed {args.seed} -> "
          f"{args.out} ({size / 1e6:.1f} MB{', gzip' if args.gzip else ''}) in "
          f"{elapsed:.2f} s, {rate / 1000:.0f}k records/s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
