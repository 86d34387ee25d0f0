#!/usr/bin/env bash
# Topic labels before/after: two koe binaries on the same records, theme by theme.
#
#   benches/labels_compare.sh BEFORE_KOE AFTER_KOE [DATA_DIR [VALDATA_DIR]]
#
# With LABELS_COMPARE_DIR=DIR the runs are kept in DIR, and a run whose results are
# already there is not made again (to re-run one side after a change: delete its files).
# LABELS_COMPARE_CORPORA="bbc restaurant" limits the corpora (default: all present).
#
# Runs both binaries on the demo corpus (corpora/shop-feedback.jsonl, gold theme from
# corpora/shop-feedback.labels.csv), the BBC news set and the SemEval-2014 restaurant
# aspect sentences (DATA_DIR, default ../shared/data), and where present livedoor news
# (Japanese, 3 000 articles) and AG News (VALDATA_DIR, default ../valdata): labelled
# `label<TAB>text`, never copied into the repo. Prints, per corpus, a Markdown table of
# the themes (gold majority label and its share, the label before and after) and of the
# sub-topics (their theme, size, label before and after), then: NMI of each run's themes
# against the gold labels, the NMI between the two runs' partitions (1.000: the labels
# changed, the themes did not), how many labels are "(no terms)", and on the restaurant
# set how many themes' labels hold their majority aspect's word (food, service, price,
# ambience).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] || { usage; exit 2; }
BEFORE="$(absolute "$1")"; AFTER="$(absolute "$2")"
DATA="$(absolute "${3:-../shared/data}")"
VALDATA="$(absolute "${4:-../valdata}")"
if [ -n "${LABELS_COMPARE_DIR:-}" ]; then
  T="$(absolute "$LABELS_COMPARE_DIR")"; mkdir -p "$T"
else
  T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fi

CORPORA=$(python3 - "$PWD" "$DATA" "$VALDATA" "$T" "${LABELS_COMPARE_CORPORA:-}" <<'P'
import csv, json, os, sys
root, data, valdata, t, wanted = sys.argv[1:]
wanted = wanted.split()
gold = {r["id"]: r["theme"] for r in csv.DictReader(open(f"{root}/corpora/shop-feedback.labels.csv", encoding="utf-8"))}
json.dump(gold, open(f"{t}/demo.gold.json", "w"))
names = ["demo"]
for name, tsv in [("restaurant", f"{data}/en-restaurant-aspects-single.tsv"),
                  ("bbc", f"{data}/en-bbc-news-topics.tsv"),
                  ("agnews", f"{valdata}/en-agnews-topics.tsv"),
                  ("livedoor", f"{valdata}/ja-livedoor-news-topics-3000.tsv")]:
    if not os.path.exists(tsv) or (wanted and name not in wanted):
        continue
    rows = [l.rstrip("\n").split("\t", 1) for l in open(tsv, encoding="utf-8").readlines()[1:]]
    with open(f"{t}/{name}.jsonl", "w", encoding="utf-8") as f:
        for i, (_, text) in enumerate(rows):
            f.write(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n")
    json.dump({f"r{i}": label for i, (label, _) in enumerate(rows)}, open(f"{t}/{name}.gold.json", "w"))
    names.append(name)
if wanted and "demo" not in wanted:
    names.remove("demo")
print(" ".join(names))
P
)
cp corpora/shop-feedback.jsonl "$T/demo.jsonl"

for corpus in $CORPORA; do
  for side in before after; do
    bin="$BEFORE"; [ "$side" = after ] && bin="$AFTER"
    [ -s "$T/$corpus-$side.topics.json" ] && continue
    rm -rf "$T/$corpus-$side"
    "$bin" analyze "$T/$corpus.jsonl" --out "$T/$corpus-$side" -q >/dev/null
    "$bin" search "$T/$corpus-$side" --json --limit 1000000 > "$T/$corpus-$side.hits.json"
    cp "$(ls -d "$T/$corpus-$side"/gen-* | tail -1)/topics.json" "$T/$corpus-$side.topics.json"
    rm -rf "$T/$corpus-$side"
  done
done

python3 - "$T" $CORPORA <<'P'
import json, math, sys
from collections import Counter, defaultdict
t, corpora = sys.argv[1], sys.argv[2:]
WORDS = {"food": "food", "service": "service", "price": "price", "ambience": "ambience"}
EMPTY = "(no terms)"

def nmi(xs, ys):
    n = len(xs); a, b, ab = Counter(xs), Counter(ys), Counter(zip(xs, ys))
    h = lambda c: -sum(v / n * math.log(v / n) for v in c.values())
    mi = sum(v / n * math.log(v * n / (a[x] * b[y])) for (x, y), v in ab.items())
    return 2 * mi / (h(a) + h(b)) if h(a) + h(b) > 0 else 1.0

summary = []
for corpus in corpora:
    gold = json.load(open(f"{t}/{corpus}.gold.json"))
    ids = sorted(gold)
    runs = {}
    for side in ["before", "after"]:
        hits = json.load(open(f"{t}/{corpus}-{side}.hits.json"))["hits"]
        theme = {h["id"]: h.get("theme", -1) if h.get("theme") is not None else -1 for h in hits}
        topics = json.load(open(f"{t}/{corpus}-{side}.topics.json"))
        runs[side] = (theme, topics)
    print(f"\n### {corpus}\n")
    print("| theme | records | gold majority | before | after |")
    print("|--:|--:|---|---|---|")
    before_theme, before_topics = runs["before"]
    after_theme, after_topics = runs["after"]
    by_theme = defaultdict(list)
    for i in ids:
        by_theme[after_theme.get(i, -1)].append(i)
    # The same partition numbered alike: match each after-theme to the before-theme of
    # its records.
    before_label = {th["id"]: th["label"] for th in before_topics["themes"]}
    majority_of = {}
    hit = before_hit = total = 0
    for th in sorted(after_topics["themes"], key=lambda th: -th["size"]):
        members = by_theme.get(th["id"], [])
        if not members:
            continue
        majority, count = Counter(gold[i] for i in members).most_common(1)[0]
        majority_of[th["id"]] = majority
        was = Counter(before_theme.get(i, -1) for i in members).most_common(1)[0][0]
        print(f"| T{th['id']} | {len(members)} | {majority} ({100 * count / len(members):.0f}%) "
              f"| {before_label.get(was, '')} | {th['label']} |")
        total += 1
        word = WORDS.get(majority, "\0")
        hit += int(word in th["label"].lower())
        before_hit += int(word in before_label.get(was, "").lower())
    if corpus == "restaurant":
        print(f"\nrestaurant: themes whose label holds their majority aspect's word: "
              f"before {before_hit}/{total}, after {hit}/{total}")
    print("\n| sub-topic | theme (gold majority) | records | before | after |")
    print("|--:|---|--:|---|---|")
    before_sub = {t_["id"]: t_ for t_ in before_topics["topics"]}
    for st in sorted(after_topics["topics"], key=lambda s: (s.get("theme", -1), -s["size"])):
        b = before_sub.get(st["id"], {})
        same = "" if b.get("size") == st["size"] else " (size differs)"
        th = st.get("theme")
        print(f"| {st['id']} | T{th} ({majority_of.get(th, '')}) | {st['size']} "
              f"| {b.get('label', '')}{same} | {st['label']} |")
    g = [gold[i] for i in ids]
    nb = nmi(g, [before_theme.get(i, -1) for i in ids])
    na = nmi(g, [after_theme.get(i, -1) for i in ids])
    same = nmi([before_theme.get(i, -1) for i in ids], [after_theme.get(i, -1) for i in ids])
    empty = [sum(x["label"] == EMPTY for x in runs[s][1]["themes"] + runs[s][1]["topics"])
             for s in ["before", "after"]]
    summary.append(f"{corpus}: {len(ids)} records, themes NMI vs gold before {nb:.3f}, after {na:.3f}; "
                   f"NMI between the two runs' themes {same:.3f}; "
                   f"labels \"{EMPTY}\" before {empty[0]}, after {empty[1]}")
print()
print("\n".join(summary))
P
