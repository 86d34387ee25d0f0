#!/usr/bin/env python3.11
"""Builds koe's demo corpora from hand-written sentences.

Everything here was written for the koe project: "Hanamori" is a fictional home-goods
retailer (online shop, mobile app, stores, its own delivery service) and no sentence comes
from real customer data. The sentences below are grouped by theme (six pain points,
praise, neutral) and language; a record is one or a few of them, with the details
(items, stores, days, order numbers) filled in, dressed for its channel (a ticket for
support, a post with @mentions, #hashtags and emoji for social), and given ratings and a
date that fit its theme. The run is deterministic: a fixed seed, no clock, no I/O order
that could vary.

    python3.11 corpora/make_demo.py            # writes the files next to this script
    python3.11 corpora/make_demo.py --check    # validates them and prints the counts

Writes shop-feedback.jsonl, shop-feedback.labels.csv (the theme each record was built
from, for evaluation), store-survey.csv and broken-sample.jsonl. benches/gen_corpus.py
reuses the sentence banks.

Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

SEED = 20260501
HERE = Path(__file__).resolve().parent

START = dt.date(2026, 5, 1)
END = dt.date(2026, 10, 31)
APP_UPDATE = dt.date(2026, 9, 8)  # app v5.2 release; crashes take off after it

CHANNELS = ("web", "app", "store", "support", "social")
STAGES = ("discovery", "purchase", "delivery", "onboarding", "usage", "support", "renewal")
PRODUCTS = ("app", "furniture", "kitchen", "bedding", "delivery-service")
PAIN = ("delivery", "app", "support", "fees", "damage", "refunds")

# --------------------------------------------------------------------------------------
# Fill-ins
# --------------------------------------------------------------------------------------

ITEMS = {
    "ja": {
        "furniture": ["ソファ", "ダイニングテーブル", "本棚", "チェスト", "ローテーブル",
                      "ワークデスク", "テレビ台", "座椅子", "ベッドフレーム", "スツール"],
        "kitchen": ["土鍋", "フライパン", "包丁", "食器セット", "電気ケトル", "保存容器",
                    "まな板", "ホーロー鍋", "グラスセット", "鉄瓶"],
        "bedding": ["羽毛布団", "枕", "シーツ", "マットレス", "毛布", "敷きパッド",
                    "布団カバー", "タオルケット"],
    },
    "en": {
        "furniture": ["sofa", "dining table", "bookshelf", "chest of drawers", "coffee table",
                      "desk", "TV stand", "armchair", "bed frame", "stool"],
        "kitchen": ["frying pan", "knife set", "dinnerware set", "kettle", "cast iron pot",
                    "storage containers", "cutting board", "donabe", "glass set", "teapot"],
        "bedding": ["duvet", "pillow", "sheet set", "mattress", "throw blanket",
                    "mattress topper", "duvet cover", "towel set"],
    },
}
STORES = {
    "ja": ["渋谷店", "横浜みなとみらい店", "梅田店", "名古屋栄店", "札幌店", "福岡天神店",
           "仙台店", "吉祥寺店", "京都四条店", "神戸三宮店"],
    "en": ["the Shibuya store", "the Yokohama store", "the Umeda store", "the Sapporo store",
           "the Fukuoka store", "the Kichijoji store", "the Kyoto store", "the Nagoya store"],
}
WEEKDAYS = {
    "ja": ["月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
AMOUNTS = ["1,980", "2,200", "2,750", "3,300", "4,400", "5,500", "8,800", "11,000"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def item_for(lang: str, product: str | None, rng: random.Random) -> str:
    line = product if product in ("furniture", "kitchen", "bedding") else \
        rng.choice(("furniture", "kitchen", "bedding"))
    return rng.choice(ITEMS[lang][line])


def fill(template: str, lang: str, product: str | None, rng: random.Random) -> str:
    """Replaces {item}, {store}, {days}, ... with plausible values."""

    def one(m: re.Match) -> str:
        key = m.group(1)
        if key == "item":
            return item_for(lang, product, rng)
        if key == "store":
            return rng.choice(STORES[lang])
        if key == "weekday":
            return rng.choice(WEEKDAYS[lang])
        if key == "days":
            return str(rng.choice((5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 21)))
        if key == "n":
            return str(rng.choice((2, 3, 3, 4)))
        if key == "minutes":
            return str(rng.choice((20, 25, 30, 40, 45, 50, 60)))
        if key == "amount":
            return rng.choice(AMOUNTS)
        if key == "code":
            return str(rng.randrange(1000, 9999))
        if key == "order":
            return f"HM-{rng.randrange(26000000, 26999999)}"
        raise KeyError(key)

    return _PLACEHOLDER.sub(one, template)


_TAG = re.compile(r"^\[([a-z]+=[a-z-]+(?:,[a-z]+=[a-z-]+)*)\]\s*")


def split_tags(sentence: str) -> tuple[dict[str, str], str]:
    """`[stage=renewal] text` -> ({"stage": "renewal"}, "text")."""
    m = _TAG.match(sentence)
    if not m:
        return {}, sentence
    tags = dict(kv.split("=") for kv in m.group(1).split(","))
    return tags, sentence[m.end():]


# --------------------------------------------------------------------------------------
# Sentence banks
#
# Per theme and language:
#   core     – the sentence that carries the theme (review / survey register)
#   post     – app only: core sentences that name the v5.2 update (used after 2026-09-08)
#   detail   – follow-up sentences (more context, consequences)
#   social   – whole casual posts
#   short    – whole terse answers ("Still waiting.")
#   contrast – mixed reviews: the pain point, "but", something good
# A leading [stage=..,product=..] tag pins a field for records built on that sentence.
# --------------------------------------------------------------------------------------

THEMES: dict[str, dict[str, dict[str, list[str]]]] = {}

THEMES["delivery"] = {
    "ja": {
        "core": [
            "注文から{days}日経ってもまだ届きません。",
            "配送が遅すぎます。お届け予定日を{n}回も変更されました。",
            "「{weekday}着」と書いてあったのに、届いたのは翌週でした。",
            "配送状況が「準備中」のまま一週間以上動きません。",
            "{item}を注文しましたが、お届け予定日を過ぎても届かないです。",
            "配送の遅延について、事前に何の連絡もありませんでした。",
            "時間指定をしたのに、指定の時間帯に配達に来ませんでした。",
            "在庫ありと表示されていたのに、発送まで{days}日もかかりました。",
            "引っ越しに合わせて{item}を注文したのに、配送が間に合いませんでした。",
            "追跡番号を入れても「該当なし」と出て、荷物がどこにあるのか分かりません。",
            "配送が遅い。以前はもっと早く届いていたと思います。",
            "不在票も入っていないのに「配達済み」になっていて、荷物が届いていません。",
            "遅延のお知らせメールが来たのは、お届け予定日の夜でした。",
            "[product=furniture] 大型家具の配送は{days}日後と言われ、そこからさらに延期になりました。",
            "お急ぎ便を選んだのに、届いたのは{days}日後でした。",
            "セール期間中とはいえ、配送に二週間待ちはさすがに遅すぎます。",
            "配送業者に問い合わせたら、まだ倉庫から出荷されていないと言われました。",
            "届く日が分からないので、ずっと家で待っている状態です。",
            "注文確定のメールから、一向に発送完了のメールが来ません。",
            "{item}だけ別便になって、そちらがまだ届きません。",
            "毎回のように配送が遅延します。",
        ],
        "detail": [
            "仕事を休んで待っていたのに、結局来ませんでした。",
            "問い合わせても「確認中です」としか言われません。",
            "プレゼント用だったので、誕生日に間に合わず残念でした。",
            "配送状況のページも何日も更新されていません。",
            "遅れるなら、せめて事前に連絡がほしいです。",
            "他の通販サイトなら翌日に届くのに、と思ってしまいます。",
            "前回も遅延があったので、今回は早めに注文したのですが…",
            "子どもの入学準備に使うつもりだったので困っています。",
            "週末に受け取れるよう予定を空けたのに無駄になりました。",
            "結局、届いたのは注文から{days}日後でした。",
            "キャンセルしようか迷っています。",
            "再配達の依頼もなかなか受け付けてもらえませんでした。",
            "ＳＭＳで届いた追跡リンクも開けませんでした。",
        ],
        "social": [
            "注文して{days}日、まだ届かないんだけど…どうなってるの",
            "配送遅延のメールきた。またか",
            "荷物ずっと「配送準備中」なんだが",
            "指定した時間に来なかった。一日無駄にした",
            "届かない届かない届かない",
            "まだ届かない。週末使いたかったのに",
            "配送遅すぎて注文したこと忘れてた",
            "お届け予定日、{n}回目の変更入りました",
            "配達済みって出てるのに荷物どこ？？",
            "ハナモリの{item}、いつ届くんだろう。もう{days}日待ってる",
        ],
        "short": ["配送が遅い。", "まだ届きません。", "届くのが遅すぎる。", "遅延ばかり。",
                  "予定日に届かず。", "配送遅延。"],
        "contrast": [
            "配送は遅かったけど、スタッフはとても親切でした。",
            "届くまで{days}日かかりましたが、{item}自体はとても気に入っています。",
            "配送の遅延は残念でしたが、サポートの方の説明は丁寧でした。",
            "到着は予定より遅れたものの、配達員さんの対応は感じが良かったです。",
            "品質には満足ですが、届くのがもう少し早ければ星5でした。",
            "届くのは遅かった。でも組み立ててみたら想像以上に良かったです。",
        ],
    },
    "en": {
        "core": [
            "Ordered the {item} {days} days ago and it still hasn't arrived.",
            "My delivery has been delayed {n} times now.",
            "The tracking page has said \"preparing for shipment\" for over a week.",
            "Estimated delivery was {weekday}. It showed up the following week.",
            "Still waiting on my order. No updates, no emails, nothing.",
            "Chose express delivery and it still took {days} days.",
            "The delivery window was 2–4pm. Nobody came.",
            "Package marked as delivered, but it's nowhere to be found.",
            "Delivery is way too slow compared to other online stores.",
            "It took almost three weeks for the {item} to arrive.",
            "The site said in stock, but it took {days} days just to ship.",
            "My order is late and there was no notice about the delay.",
            "The delivery date keeps getting pushed back.",
            "The tracking number doesn't work, so I have no idea where my package is.",
            "I needed the {item} before my move and it arrived late.",
            "Half of my order arrived; the {item} is still in transit after {days} days.",
            "[product=furniture] Furniture delivery was booked {days} days out, then rescheduled again.",
            "Late again. Second order in a row that missed the delivery date.",
            "The driver never showed up and I had to rebook the delivery myself.",
        ],
        "detail": [
            "I took a day off work to wait for it.",
            "Every time I ask, they say it's \"being checked\".",
            "It was a birthday present, so that was disappointing.",
            "At least tell me when something is going to be delayed.",
            "Other sites deliver next day, so this feels really slow.",
            "I ordered early this time because the last one was late too.",
            "Thinking about cancelling at this point.",
            "The carrier says they never received the package from the warehouse.",
            "The status page hasn't updated in days.",
            "It finally arrived {days} days after I ordered.",
            "Nobody could tell me when it would actually come.",
        ],
        "social": [
            "day {days} of waiting for my order",
            "\"out for delivery\" since {weekday}. sure.",
            "my package says delivered. it was not delivered.",
            "third delivery delay email this month lol",
            "where is my order?? it's been {days} days",
            "delivery window 2-4pm, it's now 7pm and nothing. love that for me",
            "late delivery again",
            "ordered a {item} in spring, still waiting. at this point it's a long-distance relationship",
            "the delivery date moved AGAIN",
        ],
        "short": ["Late delivery.", "Still waiting.", "Delivery took forever.",
                  "Delivery delayed again.", "Where is my order?", "Slow delivery."],
        "contrast": [
            "Delivery was late but the staff were kind.",
            "The delivery was delayed by {days} days, but the {item} itself is lovely.",
            "Took ages to arrive, but customer service kept me updated and were really polite.",
            "Delivery was slow, quality is great.",
            "Arrived a week late. That said, the delivery crew were careful and friendly.",
            "It was late, but honestly worth the wait.",
        ],
    },
}

THEMES["app"] = {
    "ja": {
        "core": [
            "アプリが頻繁に落ちます。",
            "商品ページを開くとアプリが強制終了します。",
            "[stage=onboarding] ログインできない状態が続いています。",
            "[stage=onboarding] パスワードを再設定してもログインできません。",
            "カートに入れた商品が、アプリだと消えてしまいます。",
            "[stage=purchase] 決済画面でアプリがフリーズして、注文が通ったのか分かりません。",
            "アプリを開くと真っ白な画面のまま進みません。",
            "検索するたびにエラーが表示されます。",
            "アプリの動作が重くて、スクロールするだけで固まります。",
            "お気に入り一覧を開くとアプリが落ちる。",
            "[stage=onboarding] 二段階認証のコードが届かず、ログインできません。",
            "アプリのポイント画面がずっと読み込み中のままです。",
        ],
        "post": [
            "ver5.2にアップデートしてから、起動するとすぐ落ちます。",
            "[stage=onboarding] 最新のアップデート（5.2）以降、ログインできなくなりました。",
            "アップデート後、アプリが毎回強制終了します。",
            "v5.2にしてからカートを開くとフリーズします。",
            "9月のアップデートから、アプリが起動直後にクラッシュするようになりました。",
            "[stage=purchase] バージョン5.2になってから、決済の途中で落ちて注文できません。",
            "[stage=onboarding] アップデートしたら自動ログインが外れて、再ログインもできません。",
            "5.2に更新してから会員証のバーコードが表示されず、店舗で使えませんでした。",
            "新しいバージョンはバグが多すぎます。検索も落ちる、カートも落ちる。",
            "アップデート後からアプリが重くなり、頻繁に固まります。",
            "v5.2でアプリを開くたびにエラー画面になります。",
        ],
        "detail": [
            "再インストールしても直りません。",
            "スマホを再起動しても同じでした。",
            "iPhone 16（iOS 26）を使っています。",
            "Android（Pixel 8）でも同じ症状です。",
            "セール当日だったので本当に困りました。",
            "クーポンを使おうとしたタイミングで落ちました。",
            "結局パソコンのサイトから注文しました。",
            "エラーコード「E-{code}」と表示されます。",
            "早く修正版を出してください。",
            "レビューを見ると同じ症状の人が多いようです。",
            "ｉＰｈｏｎｅでもｉＰａｄでも同じです。",
        ],
        "post_detail": [
            "前のバージョンに戻したいです。",
            "アップデート前は問題なく使えていました。",
            "ストアのレビューも星1だらけになっています。",
        ],
        "social": [
            "ハナモリのアプリまた落ちた",
            "アプリ開いた瞬間に落ちるの何？？",
            "ｱﾌﾟﾘ落ちすぎ",
            "カートに入れた瞬間フリーズ",
            "ログインできなくてポイント使えない",
            "アプリ重すぎてスクロールもできない",
            "決済画面でアプリ固まった。注文できてるのかこれ",
        ],
        "post_social": [
            "アプデしてからログインできないんだけど私だけ？",
            "ver5.2、バグだらけでは…",
            "アプデ後ずっと強制終了する。前のバージョン返して",
            "5.2にしたら起動すらしなくなった",
            "ハナモリのアプリ、アップデートしてから毎回クラッシュする",
        ],
        "short": ["アプリが落ちる。", "ログインできない。", "すぐ強制終了する。",
                  "アプリが固まる。"],
        "post_short": ["アップデート後に落ちる。", "v5.2になってから使えない。"],
        "contrast": [
            "アプリはよく落ちるけど、商品はとても気に入っています。",
            "アプリのログインには苦労しましたが、届いた{item}は最高でした。",
            "アプリは不安定ですが、店舗スタッフの方はいつも親切です。",
        ],
    },
    "en": {
        "core": [
            "The app keeps crashing whenever I open a product page.",
            "[stage=onboarding] Can't log in. Password reset didn't help.",
            "[stage=purchase] The app freezes on the checkout screen.",
            "Items disappear from my cart in the app.",
            "The app is super slow and freezes when scrolling.",
            "Search throws an error every single time.",
            "White screen on launch, nothing loads.",
            "[stage=onboarding] The 2FA code never arrives so I can't log in.",
            "[stage=purchase] The app crashed twice while I was trying to pay.",
            "The points page just spins forever.",
            "The app crashes when I open my wishlist.",
        ],
        "post": [
            "Since the 5.2 update the app crashes on launch.",
            "[stage=onboarding] After updating to v5.2 I can't log in at all.",
            "[stage=purchase] Version 5.2 broke checkout. It freezes every time I tap \"Pay\".",
            "The September update made the app unusable. It crashes constantly.",
            "Updated the app yesterday and now it crashes when I open my cart.",
            "[stage=onboarding] v5.2 logged me out and now it won't accept my password.",
            "The new version is buggy: search crashes, cart crashes, wishlist crashes.",
            "Ever since the latest update the membership barcode won't load, so I couldn't use it in store.",
            "5.2 is a disaster. The app freezes every few seconds.",
            "The latest app update crashes as soon as I try to search.",
        ],
        "detail": [
            "Reinstalling didn't fix it.",
            "Restarted my phone, same thing.",
            "I'm on an iPhone 16 with iOS 26.",
            "Same problem on my Android (Pixel 8).",
            "Error code E-{code} pops up.",
            "Ended up ordering on the website instead.",
            "It happened right as I tried to apply a coupon.",
            "Please push a fix soon.",
            "Had to uninstall it.",
        ],
        "post_detail": [
            "I just want the old version back.",
            "Please roll back the update.",
            "It worked fine before the update.",
        ],
        "social": [
            "your app crashed 4 times in 10 minutes",
            "is the hanamori app down or is it just me",
            "cant log in to the app AGAIN",
            "app froze mid-checkout, did my order go through or not??",
            "the hanamori app logged me out and now it won't let me back in",
        ],
        "post_social": [
            "the new app update is so broken lmao",
            "5.2 update = instant crash on launch. great job",
            "whoever shipped app v5.2 owes me an evening",
            "app update deleted my login and now it crashes on the password screen",
        ],
        "short": ["App keeps crashing.", "Can't log in.", "The app freezes constantly."],
        "post_short": ["Crashes since the update.", "v5.2 is broken."],
        "contrast": [
            "The app crashes a lot, but I love the products.",
            "Logging in to the app was a pain, but the {item} I got is great.",
        ],
    },
}

THEMES["support"] = {
    "ja": {
        "core": [
            "スタッフの対応が最悪でした。",
            "電話がつながらない。{minutes}分待っても誰も出ません。",
            "カスタマーサポートの態度がとても失礼でした。",
            "問い合わせフォームから連絡しましたが、{days}日経っても返信がありません。",
            "オペレーターの方に話を途中で遮られ、一方的に電話を切られました。",
            "チャットで問い合わせたら、同じテンプレートの回答しか返ってきません。",
            "[product=goods] {store}の店員さんに質問したら、面倒くさそうな態度をとられました。",
            "担当者によって言うことが違い、何度も同じ説明をさせられました。",
            "サポートに電話したら、保留のまま{minutes}分放置されました。",
            "メールの返信が遅く、しかも質問に答えていない内容でした。",
            "問い合わせても「規定ですので」の一点張りで、話を聞いてもらえませんでした。",
            "対応が悪いです。謝罪の一言もありませんでした。",
            "折り返しの電話をお願いしたのに、結局かかってきませんでした。",
            "ＬＩＮＥで問い合わせても、３日間返事がありません。",
            "[product=goods] {store}のレジの方の態度が悪く、嫌な気分になりました。",
        ],
        "detail": [
            "こちらは困っているのに、まるで他人事のようでした。",
            "言葉遣いも雑で、とても不快でした。",
            "責任者の方に代わってほしいとお願いしても断られました。",
            "忙しいのかもしれませんが、あの態度はないと思います。",
            "以前は丁寧だったのに、最近は対応の質が落ちたと感じます。",
            "結局、問題は何も解決していません。",
            "電話は平日の昼しかつながらないので、働いている人には無理です。",
        ],
        "social": [
            "サポートの電話{minutes}分保留のまま。つながらない",
            "問い合わせて{days}日、返事ゼロ",
            "店員の態度ひどすぎ。もう行かない",
            "チャットサポート、コピペ回答しか来なくて草",
            "ｻﾎﾟｰﾄの電話つながらなさすぎる",
            "オペレーターにガチャ切りされた。信じられない",
        ],
        "short": ["対応が悪い。", "電話がつながらない。", "スタッフの態度が最悪。",
                  "返信が来ない。"],
        "contrast": [
            "電話はなかなかつながらなかったけど、つながってからの対応は丁寧でした。",
            "店員さんの態度は残念でしたが、{item}の品質は良いです。",
            "返信は遅かったものの、最終的にはきちんと解決してもらえました。",
        ],
    },
    "en": {
        "core": [
            "Support was rude and dismissive.",
            "I was on hold for an hour and then got disconnected.",
            "Emailed customer service {days} days ago. No reply.",
            "The agent kept interrupting me and then hung up.",
            "The chat support just pastes the same canned answer over and over.",
            "[product=goods] A staff member at {store} rolled their eyes when I asked a question.",
            "Every agent tells me something different, and I've explained the issue {n} times.",
            "They promised a callback that never happened.",
            "Customer service was unhelpful and frankly condescending.",
            "\"That's our policy\" was the only answer I got.",
            "Waited {minutes} minutes on the phone just to be told to send an email.",
            "Nobody answers the phone. Ever.",
            "[product=goods] The cashier at {store} was rude for no reason.",
        ],
        "detail": [
            "Not even an apology.",
            "I asked for a supervisor and was refused.",
            "It felt like they just wanted me off the phone.",
            "The issue is still not resolved.",
            "Support hours are weekdays only, which is useless if you work.",
            "Used to be great; the service has really gone downhill.",
        ],
        "social": [
            "on hold for an hour now",
            "hanamori customer service is so rude, wow",
            "{days} days and still no reply from support",
            "the support agent literally hung up on me",
            "their chat bot and their human agents give the exact same useless answer",
        ],
        "short": ["Rude staff.", "Terrible customer service.", "No one answers the phone.",
                  "On hold for an hour."],
        "contrast": [
            "Took forever to reach customer service, but once I did the agent was lovely.",
            "The staff member was rude, but the {item} is great quality.",
        ],
    },
}

THEMES["fees"] = {
    "ja": {
        "core": [
            "送料が高すぎます。",
            "最後の決済画面で初めて手数料がかかると分かりました。",
            "[product=furniture] 大型家具の送料が{amount}円もかかるとは思いませんでした。",
            "代引き手数料が高いです。",
            "送料無料のラインが{amount}円に上がっていて驚きました。",
            "[product=furniture] 組み立てサービスが有料だと後から知りました。",
            "クーポンを使っても、送料で相殺されてあまり安くなりません。",
            "[stage=discovery] 値上げが続いていて、以前ほどお得感がありません。",
            "[stage=renewal] 会員の年会費がいつの間にか値上がりしていました。",
            "表示価格は安いのに、手数料と送料を足すと他店より高くなります。",
            "支払い方法によって手数料が変わるのが分かりにくいです。",
            "離島だからという理由で追加料金がかかりました。",
            "隠れた手数料が多すぎる。",
            "[stage=renewal] 年会費に見合う特典がありません。",
        ],
        "detail": [
            "事前に総額を表示してほしいです。",
            "商品自体は安くても、これでは意味がありません。",
            "結局カートから削除しました。",
            "家族にも勧めにくいです。",
            "もう少し分かりやすい料金体系にしてください。",
            "他のお店と比べてしまいます。",
        ],
        "social": [
            "送料{amount}円は高いって…",
            "決済画面で手数料出てくるのやめて",
            "[stage=renewal] 年会費また上がってる。更新やめようかな",
            "ハナモリ、送料無料ラインまた上げた？",
            "本体より送料が高いの草",
        ],
        "short": ["送料が高い。", "手数料が高すぎる。", "値段が高い。"],
        "contrast": [
            "値段は高めだけど、品質は良いので納得しています。",
            "送料は高いですが、梱包がとても丁寧でした。",
            "手数料には不満がありますが、{item}はとても使いやすいです。",
        ],
    },
    "en": {
        "core": [
            "Shipping cost is way too high.",
            "Hidden fees at checkout. The total was nowhere near the listed price.",
            "¥{amount} shipping for one {item}? Seriously?",
            "I only found out about the service fee on the final checkout page.",
            "[product=furniture] Assembly turned out to be an extra charge.",
            "The free shipping threshold went up again.",
            "[stage=renewal] The membership fee went up without any clear notice.",
            "The cash on delivery fee is ridiculous.",
            "Once you add the fees, it's more expensive than other stores.",
            "The coupon barely covered the shipping cost.",
            "They charged me a \"remote area\" surcharge I was never told about.",
            "[stage=discovery] Prices keep creeping up.",
            "[stage=renewal] The yearly membership isn't worth the fee anymore.",
        ],
        "detail": [
            "Just show the total price up front.",
            "Ended up abandoning my cart.",
            "Not worth it with those fees.",
            "Please be more transparent about pricing.",
            "Cheaper products don't help if the extras cost this much.",
        ],
        "social": [
            "the hidden fees at checkout are wild",
            "¥{amount} shipping. no thanks",
            "[stage=renewal] membership fee went up again?? not renewing",
            "shipping cost more than the actual {item} lol",
        ],
        "short": ["Shipping is too expensive.", "Hidden fees.", "Too pricey."],
        "contrast": [
            "A bit pricey, but the quality justifies it.",
            "Shipping costs are steep, but the packaging was excellent.",
        ],
    },
}

THEMES["damage"] = {
    "ja": {
        "core": [
            "届いた{item}が破損していました。",
            "箱を開けたら{item}に大きな傷がありました。",
            "[product=furniture] 天板が割れた状態で届きました。",
            "[product=kitchen] 食器が{n}枚割れていました。",
            "梱包が雑で、{item}の角がへこんでいました。",
            "新品なのに擦り傷と汚れがありました。",
            "[product=furniture] 脚が一本折れていて、組み立てられません。",
            "届いた時点で{item}にひびが入っていました。",
            "[product=bedding] 布団カバーにシミと破れがありました。",
            "[product=furniture] 引き出しのレールが曲がっていて閉まりません。",
            "[product=kitchen] 包丁の刃が欠けていました。",
            "交換品も傷ありで届きました。",
        ],
        "detail": [
            "写真を撮って送りました。",
            "梱包材がほとんど入っていませんでした。",
            "検品していないのでしょうか。",
            "楽しみにしていただけにショックです。",
            "品質管理をしっかりしてほしいです。",
            "交換の手配をお願いしています。",
        ],
        "social": [
            "届いた{item}、割れてたんだが",
            "新品なのに傷だらけ",
            "開けたら破損してた。梱包ひどい",
            "[product=kitchen] 食器セット届いたけど2枚割れてた",
        ],
        "short": ["破損して届いた。", "傷がありました。", "割れていました。"],
        "contrast": [
            "傷が一か所ありましたが、交換対応がとても早くて親切でした。",
            "届いた時は破損していたけど、サポートの方がすぐ新品を送ってくれました。",
        ],
    },
    "en": {
        "core": [
            "The {item} arrived broken.",
            "The {item} came scratched all over.",
            "[product=furniture] The tabletop was cracked when I opened the box.",
            "[product=kitchen] {n} plates in the set were smashed.",
            "The box was crushed and the corner of the {item} is dented.",
            "Brand new, but it has scuffs and stains.",
            "[product=furniture] One of the legs snapped off, so I can't assemble it.",
            "[product=furniture] The drawer runner is bent so it won't close.",
            "[product=kitchen] The knife arrived with a chipped blade.",
            "The replacement arrived damaged too.",
            "There's a big crack down the side of the {item}.",
            "[product=bedding] The duvet cover had a tear and a stain straight out of the package.",
        ],
        "detail": [
            "Sent photos to support.",
            "Barely any packaging inside the box.",
            "Does anyone check these before shipping?",
            "Really disappointed, I was looking forward to it.",
            "Waiting on a replacement now.",
        ],
        "social": [
            "my new {item} arrived broken",
            "unboxed it. scratched. cool.",
            "the {item} arrived in pieces",
        ],
        "short": ["Arrived broken.", "Damaged on arrival.", "Scratched."],
        "contrast": [
            "It arrived scratched, but the replacement came fast and support were kind about it.",
        ],
    },
}

THEMES["refunds"] = {
    "ja": {
        "core": [
            "返品の手続きがとても分かりにくいです。",
            "返金がまだされていません。返品してから{days}日経ちます。",
            "返品するには自分で集荷を手配するように言われました。",
            "返品受付の期限が短すぎます。",
            "返金はポイントでしかできないと言われました。",
            "[stage=purchase] 店舗で買った商品はネットで返品できないと言われ、たらい回しにされました。",
            "返品の申請フォームがどこにあるのか分かりません。",
            "返品したのに「未着」扱いになっていて、返金されません。",
            "開封済みだと返品不可と言われました。",
            "返金まで{n}週間かかると言われました。",
            "返品用の伝票がいつまで経っても届きません。",
        ],
        "detail": [
            "返品の条件をもっと分かりやすく書いてほしいです。",
            "何度も問い合わせて、ようやく受け付けてもらえました。",
            "返金されるまで安心できません。",
            "クレジットカードの明細にまだ反映されていません。",
        ],
        "social": [
            "返金まだ？もう{days}日経ったけど",
            "返品手続きめんどくさすぎ",
            "返金がポイントのみって聞いてない",
        ],
        "short": ["返品が面倒。", "返金が遅い。"],
        "contrast": [
            "返品の手続きは面倒でしたが、担当の方は親切でした。",
        ],
    },
    "en": {
        "core": [
            "The return process is a nightmare.",
            "Still waiting for my refund {days} days after they received the return.",
            "They told me refunds are store credit only.",
            "The return window is way too short.",
            "[stage=purchase] Bought it in store and they won't let me return it online. Got bounced back and forth.",
            "I can't find the return form anywhere on the site.",
            "The return shows as \"not received\" even though I have the drop-off receipt.",
            "They refused my return because the box was opened.",
            "Apparently the refund will take {n} weeks.",
            "The return label never came.",
        ],
        "detail": [
            "Make the return policy clearer.",
            "Took {n} emails before anyone accepted the return.",
            "Still nothing on my credit card statement.",
        ],
        "social": [
            "still no refund",
            "returning anything to hanamori is a whole project",
            "refund = store credit only?? since when",
        ],
        "short": ["Refund still pending.", "Returns are a pain."],
        "contrast": [
            "Returning it was a hassle, but the person who handled it was really nice.",
        ],
    },
}

THEMES["praise"] = {
    "ja": {
        # staff
        "staff": [
            "{store}のスタッフの方がとても親切でした。",
            "問い合わせへの対応が丁寧で、すぐに解決しました。",
            "[product=furniture] 店員さんがソファの座り心地を一緒に比べてくれて、選びやすかったです。",
            "サポートの方の説明が分かりやすく、安心できました。",
            "電話対応がとても丁寧でした。",
            "[stage=delivery] 配達員さんが部屋まで運んでくれて、とても助かりました。",
            "店員さんが笑顔で声をかけてくれて、気持ちよく買い物ができました。",
            "[product=furniture] 採寸のアドバイスまでしてもらい、親切な対応に感謝しています。",
            "チャットの返信が早く、丁寧な対応でした。",
            "子連れでしたが、スタッフの方が気遣ってくださって嬉しかったです。",
            "{store}の方がラッピングをとても丁寧にしてくださいました。",
        ],
        "quality": [
            "{item}の品質がとても良いです。",
            "値段以上にしっかりした作りで、品質が良いと思います。",
            "届いた{item}は写真よりも素敵でした。",
            "[product=bedding] 肌触りが良く、毎晩ぐっすり眠れています。",
            "買って一年経ちますが、まだ新品のようです。",
            "[product=bedding] 縫製が丁寧で、長く使えそうです。",
            "[product=furniture] 木目がきれいで、部屋の雰囲気がぐっと良くなりました。",
            "[product=kitchen] 焦げ付きにくく、毎日の料理が楽しくなりました。",
            "[product=furniture] 組み立ても簡単で、ぐらつきもありません。",
            "色味がサイトの写真通りで安心しました。",
            "[product=kitchen] 土鍋でご飯を炊くのが楽しみになりました。",
        ],
        "app_easy": [
            "アプリが使いやすくて、いつもアプリから注文しています。",
            "アプリで在庫のある店舗がすぐ分かるので便利です。",
            "アプリのお気に入り機能が便利です。",
            "ARで部屋に家具を置いたイメージが見られるのが最高です。",
            "クーポンがアプリで簡単に使えるので助かります。",
            "会員証がアプリに入っているので、財布を持ち歩かなくて済みます。",
            "[stage=onboarding] アプリの初期設定が簡単で、すぐに使い始められました。",
        ],
        "fast_delivery": [
            "注文した翌日に届きました。早い！",
            "思っていたより早く届いて助かりました。",
            "配送が早く、梱包も丁寧でした。",
            "夜に注文して、次の日の午前中に届いたので驚きました。",
            "[product=furniture] 大型家具なのに{days}日で届きました。",
            "時間指定どおりに届けてもらえました。",
        ],
        "detail": [
            "また利用したいと思います。",
            "とても満足しています。",
            "友人にも勧めたいです。",
            "次は寝具も見てみます。",
            "ありがとうございました。",
            "家族も気に入っています。",
            "リピート確定です。",
        ],
        "social": [
            "ハナモリで{item}買った！最高",
            "{store}の店員さん親切すぎた",
            "ハナモリのアプリ使いやすい",
            "昨日頼んだのにもう届いた。早い！",
            "新しい{item}、使い心地良すぎて手放せない",
            "ハナモリの{item}、買ってよかったもの上位に入る",
        ],
        "short": ["大満足です。", "とても良い。", "親切でした。", "品質が良い。",
                  "最高です！"],
    },
    "en": {
        "staff": [
            "The staff at {store} were so kind and helpful.",
            "Customer service sorted my issue in five minutes. Very polite.",
            "[stage=delivery] The delivery team carried everything upstairs and even took the packaging away.",
            "[product=furniture] A staff member helped me compare sofas for ages and never rushed me.",
            "Support explained everything clearly. Really appreciated it.",
            "Friendly staff, lovely store.",
            "The person on the phone was patient and genuinely helpful.",
            "The staff at {store} gift-wrapped everything beautifully.",
        ],
        "quality": [
            "The {item} is really well made.",
            "Great quality for the price.",
            "The {item} looks even better than the photos.",
            "[product=bedding] Super soft sheets, I'm sleeping so much better.",
            "[product=furniture] Solid build, no wobble at all.",
            "A year in and it still looks brand new.",
            "[product=furniture] Beautiful wood grain, it really lifts the room.",
            "[product=kitchen] The nonstick coating is excellent, nothing sticks.",
            "The colour matches the website exactly.",
        ],
        "app_easy": [
            "The app is easy to use, I order everything through it now.",
            "Love that the app shows which store has stock.",
            "[product=furniture] The AR preview in the app helped me pick the right size sofa.",
            "Checkout in the app is quick and painless.",
            "Having my membership card in the app is so handy.",
        ],
        "fast_delivery": [
            "Arrived the next day! Super fast.",
            "Delivery was faster than expected and well packaged.",
            "Ordered at night, got it the next morning.",
            "[product=furniture] Furniture delivery in {days} days, impressive.",
            "Delivered right on time in the slot I picked.",
        ],
        "detail": [
            "Will definitely shop here again.",
            "Highly recommend.",
            "Really happy with it.",
            "Already told my friends about it.",
            "Thank you!",
            "Five stars from me.",
        ],
        "social": [
            "obsessed with my new {item}",
            "hanamori delivery came next day?? impressive",
            "shoutout to the staff at {store}, so lovely",
            "the hanamori app is honestly really nice to use",
            "new {item} from hanamori and I'm never getting up",
        ],
        "short": ["Love it.", "Great service.", "Excellent quality.", "Very happy!",
                  "Would recommend."],
    },
}

THEMES["neutral"] = {
    "ja": {
        "core": [
            "店舗受け取りはできますか？",
            "{item}の組み立てサービスはありますか？",
            "注文番号{order}のお届け日を変更したいです。",
            "領収書の発行方法を教えてください。",
            "沖縄への配送は可能でしょうか。",
            "会員ランクの条件が知りたいです。",
            "{item}のサイズ違いはありますか？",
            "支払い方法にQRコード決済は使えますか？",
            "先週{store}で{item}を購入しました。",
            "特に問題はありません。",
            "普通です。",
            "可もなく不可もなく。",
            "ギフトラッピングは有料ですか？",
            "{store}の営業時間が知りたいです。",
            "住所変更はどこからできますか？",
            "{item}の色は何色がありますか？",
            "注文した{item}、今のところ普通に使えています。",
            "アンケートのポイントはいつ付与されますか？",
            "法人名義での購入は可能ですか？",
            "年末年始の営業日を教えてください。",
            "{item}の再入荷はいつ頃になりますか？",
            "カタログを送ってもらうことはできますか？",
            "{item}のＬサイズの在庫はありますか？",
            "まだ使い始めたばかりなので、また改めて書きます。",
        ],
        "detail": [],
        "social": [
            "ハナモリのセールっていつからだっけ",
            "{store}、今日混んでるかな",
            "ハナモリの{item}気になってる。使ってる人いる？",
        ],
        "short": ["普通。", "特になし。", "問題なし。"],
    },
    "en": {
        "core": [
            "Do you offer in-store pickup?",
            "Is there an assembly service for the {item}?",
            "I'd like to change the delivery date for order {order}.",
            "How do I get a receipt for my order?",
            "Do you ship overseas?",
            "What are the requirements for gold membership?",
            "Does the {item} come in other sizes?",
            "Bought a {item} at {store} last week.",
            "It's fine.",
            "Nothing special, does the job.",
            "Is gift wrapping free?",
            "What time does {store} close on Sundays?",
            "How do I change my address?",
            "Which colours does the {item} come in?",
            "When do survey points get credited?",
            "Can I buy with a company invoice?",
            "Okay so far, will update after a few weeks of use.",
            "Average experience.",
            "When will the {item} be back in stock?",
        ],
        "detail": [],
        "social": [
            "when does the hanamori sale start?",
            "anyone tried the {item} from hanamori?",
            "is {store} open on public holidays?",
        ],
        "short": ["It's okay.", "Nothing to add.", "No comment."],
    },
}

# Whole records written as they are (mixed languages, odd shapes): theme, lang, the
# fields they pin (post=True: only after the app update), text.
SPECIAL = [
    ("app", "ja", {"channel": "social"}, "アプリがcrashしまくりで全然使えない。fix please🙏 #ハナモリ"),
    ("delivery", "ja", {"channel": "web"}, "deliveryが遅いのはいつものことだけど、今回はひどい。二度と使いません。"),
    ("praise", "ja", {"channel": "support", "stage": "support"}, "Customer supportの方がめちゃくちゃ親切でした！Thank you!"),
    ("fees", "ja", {"channel": "web", "product": "kitchen"}, "品質はgood、でも送料がexpensiveすぎる。"),
    ("praise", "ja", {"channel": "web", "product": "furniture", "stage": "delivery"},
     "The sofa is great. 配送もとても早かったです。とても満足しています。"),
    ("praise", "en", {"channel": "store", "product": "furniture", "stage": "purchase"},
     "Love the Hanamori store in Shibuya. The staff explained every fabric option patiently. 店員さんがとても親切でした！"),
    ("app", "en", {"channel": "social", "post": True},
     "App keeps crashing after the update. Tried reinstalling, tried logging out, nothing works. #ハナモリ #appfail"),
    ("praise", "en", {"channel": "social"}, "Great quality, fast delivery 👍 品質が良い！ #Hanamori"),
    ("support", "ja", {"channel": "support", "stage": "support"},
     "スタッフの対応が最悪でした。\n問い合わせ番号も教えてもらえず、二度と使いません。"),
    ("delivery", "ja", {"channel": "support", "stage": "delivery"},
     "配送は遅かったけど、スタッフはとても親切でした。次回はもう少し早く届くと嬉しいです。"),
    ("delivery", "en", {"channel": "web", "stage": "delivery"},
     "Delivery was late but the staff were kind. Would still order again."),
    ("praise", "ja", {"channel": "store", "stage": "purchase"}, "とても満足しています。"),
    ("support", "en", {"channel": "support", "stage": "support", "product": "delivery-service"},
     "Hi,\n\nI have called three times this week and each time I was on hold for an hour before "
     "the line dropped. Your website says to call, your phone line says to use the website. "
     "I just want to know where my order is.\n\nRegards"),
    ("delivery", "en", {"channel": "social", "stage": "delivery"}, "Still waiting. 📦⏳ @HanamoriShop #stillwaiting"),
    ("damage", "ja", {"channel": "web", "product": "furniture", "stage": "delivery"},
     "ＴＶ台が届いたけど、天板に大きな傷。交換してもらえるのか心配です。"),
    ("neutral", "ja", {"channel": "app", "stage": "purchase"}, "ｱﾌﾟﾘで注文した商品を店舗で受け取れますか？"),
    ("praise", "ja", {"channel": "app", "product": "app", "stage": "usage"}, "ｱﾌﾟﾘの使い勝手が良くなりました！"),
    ("neutral", "en", {"channel": "web"}, "ok"),
]

CLOSE = {
    "neg": {
        "ja": ["二度と使いません。", "もう利用しないと思います。", "改善をお願いします。",
               "本当にがっかりです。", "早急に対応してください。", "残念です。",
               "星1もつけたくないです。", "以前は好きだったのに残念。"],
        "en": ["Never again.", "Won't be ordering again.", "Please fix this.",
               "Really disappointed.", "Very frustrating.",
               "Used to love this store, not anymore.", "Do better, Hanamori.",
               "One star."],
    },
    "mixed": {
        "ja": ["次回に期待します。", "総合的にはまあ満足です。", "改善されればまた利用します。",
               "惜しいです。"],
        "en": ["Overall okay.", "Would order again if they fix that.", "Mixed feelings.",
               "Three stars."],
    },
}
TICKET = {
    "open": {
        "ja": ["お世話になっております。", "問い合わせです。", "注文番号{order}について。",
               "先日注文した者です。", "【注文番号：{order}】"],
        "en": ["Hi,", "Hello,", "Re: order {order}", "Hi team,", "Order {order}:"],
    },
    "close": {
        "ja": ["ご確認をお願いいたします。", "至急ご連絡ください。",
               "どうすればよいか教えてください。", "よろしくお願いします。"],
        "en": ["Please advise.", "Please get back to me asap.", "Thanks.",
               "Can someone look into this?"],
    },
}
SOCIAL = {
    "mention": {"ja": ["@hanamori_jp", "@hanamori_support"],
                "en": ["@HanamoriShop", "@hanamori_help"]},
    "tags": {
        "delivery": {"ja": ["#配送遅延", "#ハナモリ", "#まだ届かない"],
                     "en": ["#stillwaiting", "#Hanamori", "#delivery"]},
        "app": {"ja": ["#アプリ不具合", "#ハナモリ", "#バグ"],
                "en": ["#appfail", "#Hanamori", "#bug"]},
        "support": {"ja": ["#カスタマーサポート", "#ハナモリ"],
                    "en": ["#customerservice", "#Hanamori"]},
        "fees": {"ja": ["#送料", "#ハナモリ"], "en": ["#hiddenfees", "#Hanamori"]},
        "damage": {"ja": ["#破損", "#ハナモリ"], "en": ["#damaged", "#Hanamori"]},
        "refunds": {"ja": ["#返金", "#ハナモリ"], "en": ["#refund", "#Hanamori"]},
        "praise": {"ja": ["#ハナモリ", "#丁寧な接客", "#インテリア", "#新生活", "#買ってよかった"],
                   "en": ["#Hanamori", "#homedecor", "#newhome", "#cosyhome"]},
        "neutral": {"ja": ["#ハナモリ"], "en": ["#Hanamori"]},
    },
    "emoji": {"neg": ["😡", "😤", "😭", "🙃", "😇", "💢", "🥲", "😩"],
              "delivery": ["📦", "⏳"], "app": ["📱"], "fees": ["💸"], "damage": ["💥"],
              "pos": ["✨", "🙏", "😊", "👍", "🥹", "💕", "🏠", "🛋️"],
              "neutral": ["🤔", "👀", ""]},
    "url": {"delivery": ["https://hanamori.example/orders/{order}"],
            "app": ["https://status.hanamori.example"],
            "app-post": ["https://hanamori.example/app/release-notes/5.2"],
            "fees": ["https://hanamori.example/help/shipping-fees"],
            "refunds": ["https://hanamori.example/help/returns"],
            "neutral": ["https://hanamori.example/faq"],
            "any": ["https://pic.example.com/{code}"]},
}

# --------------------------------------------------------------------------------------
# Japanese width variants: ASCII -> full width (ＡＢＣ１２３), katakana -> half width (ｱﾌﾟﾘ)
# --------------------------------------------------------------------------------------


def _half_kana_table() -> dict[str, str]:
    table = {}
    for cp in range(0xFF66, 0xFF9E):
        half = chr(cp)
        full = unicodedata.normalize("NFKC", half)
        if len(full) == 1:
            table.setdefault(full, half)
        for mark in ("\uff9e", "\uff9f"):
            combo = unicodedata.normalize("NFKC", half + mark)
            if len(combo) == 1:
                table.setdefault(combo, half + mark)
    table["ー"] = "ｰ"
    return table


HALF_KANA = _half_kana_table()


def to_half_kana(text: str) -> str:
    return "".join(HALF_KANA.get(c, c) for c in text)


def to_full_ascii(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and (c.isalnum() or c in ".-:/") else c
                   for c in text)


# --------------------------------------------------------------------------------------
# Demo corpus plan
# --------------------------------------------------------------------------------------

# records per theme and month (May..Oct); app crashes take off after the v5.2 update.
MONTHLY = {
    "delivery": [12, 11, 12, 12, 11, 12],
    "app": [4, 4, 4, 5, 15, 23],
    "support": [8, 7, 8, 7, 8, 7],
    "fees": [6, 6, 5, 6, 6, 6],
    "damage": [5, 5, 5, 5, 5, 5],
    "refunds": [4, 4, 4, 4, 5, 4],
    "praise": [17, 17, 16, 17, 17, 16],
    "neutral": [7, 6, 7, 7, 6, 7],
}
JA_COUNT = {"delivery": 38, "app": 30, "support": 25, "fees": 19, "damage": 17,
            "refunds": 14, "praise": 55, "neutral": 22}

CHANNEL_WEIGHTS = {
    "delivery": {"web": 30, "app": 20, "support": 25, "social": 25},
    "app": {"app": 50, "social": 30, "support": 15, "web": 5},
    "support": {"support": 60, "social": 20, "web": 20},
    "fees": {"web": 45, "app": 25, "social": 20, "support": 10},
    "damage": {"support": 45, "web": 35, "social": 20},
    "refunds": {"support": 55, "web": 30, "social": 15},
    "praise": {"store": 30, "web": 25, "app": 25, "social": 20},
    "neutral": {"support": 45, "web": 30, "app": 15, "social": 10},
}
STAGE_WEIGHTS = {
    "delivery": {"delivery": 90, "purchase": 10},
    "app": {"usage": 60, "purchase": 25, "onboarding": 15},
    "support": {"support": 85, "purchase": 15},
    "fees": {"purchase": 85, "discovery": 15},
    "damage": {"delivery": 70, "usage": 30},
    "refunds": {"support": 70, "purchase": 30},
    "neutral": {"discovery": 35, "purchase": 35, "support": 30},
}
PRAISE_SUB = {"staff": 30, "quality": 30, "app_easy": 20, "fast_delivery": 20}
PRAISE_STAGE = {"staff": {"purchase": 50, "support": 50}, "quality": {"usage": 100},
                "app_easy": {"usage": 80, "purchase": 20},
                "fast_delivery": {"delivery": 100}}


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Deck:
    """Draws without replacement, reshuffling when empty, so every sentence gets used."""

    def __init__(self, items: list[str], rng: random.Random):
        self.items, self.rng, self.left = list(items), rng, []

    def draw(self) -> str:
        if not self.left:
            self.left = list(self.items)
            self.rng.shuffle(self.left)
        return self.left.pop()


def product_for(theme: str, sub: str | None, rng: random.Random,
                tagged: str | None = None) -> str:
    if tagged == "goods":
        return rng.choice(("furniture", "kitchen", "bedding"))
    if tagged:
        return tagged
    if theme == "app" or sub == "app_easy":
        return "app"
    if theme in ("delivery", "fees") or sub == "fast_delivery":
        return weighted(rng, {"delivery-service": 40, "furniture": 25, "kitchen": 20,
                              "bedding": 15})
    if theme == "support":
        return weighted(rng, {"furniture": 25, "kitchen": 20, "bedding": 15, "app": 15,
                              "delivery-service": 25})
    if theme == "neutral":
        return weighted(rng, {"furniture": 30, "kitchen": 25, "bedding": 20, "app": 10,
                              "delivery-service": 15})
    return weighted(rng, {"furniture": 45, "kitchen": 35, "bedding": 20})


def scores(kind: str, channel: str, rng: random.Random) -> tuple[int | None, int | None]:
    """(rating, nps) for a record of this sentiment kind: neg, mixed, pos, neutral."""
    if channel == "social":
        rating_p, nps_p = 0.12, 0.0
    elif channel == "support":
        rating_p, nps_p = 0.85, 0.7
    else:
        rating_p, nps_p = 0.95, 0.8
    rating = nps = None
    if rng.random() < rating_p:
        rating = int(weighted(rng, {
            "neg": {"1": 50, "2": 35, "3": 12, "4": 3},
            "mixed": {"2": 30, "3": 50, "4": 20},
            "pos": {"5": 65, "4": 32, "3": 3},
            "neutral": {"2": 5, "3": 50, "4": 35, "5": 10},
        }[kind]))
    if rng.random() < nps_p:
        nps = int(weighted(rng, {
            "neg": {"0": 20, "1": 15, "2": 18, "3": 17, "4": 12, "5": 10, "6": 6, "7": 2},
            "mixed": {"3": 10, "4": 15, "5": 25, "6": 25, "7": 20, "8": 5},
            "pos": {"7": 8, "8": 22, "9": 30, "10": 40},
            "neutral": {"4": 5, "5": 15, "6": 20, "7": 30, "8": 25, "9": 5},
        }[kind]))
    return rating, nps


def timestamp(lang: str, month: int, day_range: tuple[int, int] | None,
              rng: random.Random) -> tuple[str, dt.datetime]:
    """A created_at string and its UTC instant, both local and UTC dates in range."""
    while True:
        first = dt.date(2026, month, 1)
        last = (dt.date(2026, month + 1, 1) - dt.timedelta(days=1)) if month < 12 else \
            dt.date(2026, 12, 31)
        lo, hi = day_range or (1, last.day)
        day = dt.date(2026, month, rng.randint(lo, min(hi, last.day)))
        hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 8, 8, 9, 9, 8,
                                               7, 7, 7, 8, 10, 11, 10, 7, 3])[0]
        minute = rng.randrange(60)
        second = rng.choice((0, 0, 0, rng.randrange(60)))
        if lang == "ja":
            tz = weighted(rng, {"+09:00": 85, "Z": 10, "date": 5})
        else:
            tz = weighted(rng, {"Z": 55, "+09:00": 20, "-05:00": 8, "+01:00": 7,
                                "-08:00": 5, "date": 5})
        if tz == "date":
            instant = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
            text = day.isoformat()
        else:
            offset = dt.timedelta(0) if tz == "Z" else \
                dt.timedelta(hours=int(tz[:3]), minutes=int(tz[4:]))
            local = dt.datetime(day.year, day.month, day.day, hour, minute, second,
                                tzinfo=dt.timezone(offset))
            instant = local.astimezone(dt.timezone.utc)
            text = local.strftime("%Y-%m-%dT%H:%M:%S") + tz
        if START <= instant.date() <= END and (day_range is None or
                                               (instant.date() >= APP_UPDATE) ==
                                               (day >= APP_UPDATE)):
            return text, instant


def decorate_social(body: str, theme: str, lang: str, kind: str, post_update: bool,
                    rng: random.Random) -> str:
    parts = [body]
    has_emoji = any(ord(c) >= 0x1F300 for c in body)
    if not has_emoji and rng.random() < 0.55:
        pool = SOCIAL["emoji"]["pos" if kind == "pos" else "neutral" if kind == "neutral"
                               else "neg"] + SOCIAL["emoji"].get(theme, []) * 2
        e = rng.choice(pool)
        if e:
            parts[-1] = parts[-1] + ("" if lang == "ja" else " ") + e * rng.choice((1, 1, 2))
    if rng.random() < 0.45:
        parts.append(" ".join(rng.sample(SOCIAL["tags"][theme][lang],
                                         k=min(len(SOCIAL["tags"][theme][lang]),
                                               rng.choice((1, 1, 2))))))
    if rng.random() < 0.2:
        urls = SOCIAL["url"]["any"] + SOCIAL["url"].get(theme, []) + \
            (SOCIAL["url"]["app-post"] * 2 if post_update else [])
        parts.append(fill(rng.choice(urls), lang, None, rng))
    text = " ".join(parts)
    if rng.random() < (0.6 if lang == "en" else 0.45):
        mention = rng.choice(SOCIAL["mention"][lang])
        text = f"{mention} {text}" if rng.random() < 0.7 else f"{text} {mention}"
    return text


def compose(theme: str, lang: str, channel: str, post_update: bool, decks: dict,
            rng: random.Random) -> tuple[str, dict[str, str], str, str | None]:
    """Builds one text: (text, tags, sentiment kind, praise sub-theme)."""
    bank = THEMES[theme][lang]
    sep = "" if lang == "ja" else " "

    def deck(pool: str) -> Deck:
        key = (theme, lang, pool)
        if key not in decks:
            decks[key] = Deck(bank[pool], rng)
        return decks[key]

    sub = None
    if theme == "praise":
        kind = "pos"
        sub = weighted(rng, PRAISE_SUB)
        core_pool = sub
    elif theme == "neutral":
        kind = "neutral"
        core_pool = "core"
    else:
        kind = "neg"
        core_pool = "post" if post_update and rng.random() < 0.7 else "core"

    tags: dict[str, str] = {}
    sentences: list[str] = []

    def add(raw: str):
        t, s = split_tags(raw)
        tags.update(t)
        sentences.append(s)

    if channel == "social" and rng.random() < 0.8:
        pool = "post_social" if post_update and "post_social" in bank and rng.random() < 0.7 \
            else "social"
        add(deck(pool).draw())
        return " ".join(sentences), tags, kind, sub

    roll = rng.random()
    if theme not in ("praise", "neutral") and channel != "social" and roll < 0.18:
        kind = "mixed"
        add(deck("contrast").draw())
        if rng.random() < 0.5:
            add(rng.choice(CLOSE["mixed"][lang]))
    elif roll < 0.31 and not (theme == "neutral" and channel == "support"):
        pool = "post_short" if post_update and "post_short" in bank else "short"
        add(deck(pool).draw())
        if theme != "neutral" and rng.random() < 0.3:
            add(deck(core_pool).draw())
    else:
        add(deck(core_pool).draw())
        details = bank.get("detail") or []
        n_detail = rng.choice((0, 1, 1, 1, 2, 2, 3)) if details else 0
        seen = set()
        for _ in range(n_detail):
            pool = "post_detail" if post_update and "post_detail" in bank and \
                rng.random() < 0.35 else "detail"
            s = deck(pool).draw()
            if s not in seen:
                seen.add(s)
                add(s)
        if kind == "neg" and rng.random() < 0.35:
            add(rng.choice(CLOSE["neg"][lang]))

    if channel == "support" and rng.random() < 0.75:
        opener = rng.choice(TICKET["open"][lang])
        joiner = "\n" if rng.random() < 0.4 or opener.endswith(",") else sep
        body = sep.join(sentences)
        text = opener + joiner + body
        if rng.random() < 0.6:
            text += joiner + rng.choice(TICKET["close"][lang])
        return text, tags, kind, sub
    if channel == "social":
        return sep.join(sentences), tags, kind, sub
    return sep.join(sentences), tags, kind, sub


def build_feedback(rng: random.Random) -> list[dict]:
    decks: dict = {}
    plan = []  # (theme, lang, month)
    for theme, months in MONTHLY.items():
        total = sum(months)
        langs = ["ja"] * JA_COUNT[theme] + ["en"] * (total - JA_COUNT[theme])
        rng.shuffle(langs)
        ms = [5 + i for i, n in enumerate(months) for _ in range(n)]
        plan.extend((theme, lang, m) for lang, m in zip(langs, ms))

    rng.shuffle(plan)
    # The hand-written specials take the place of generated records of their theme and
    # language.
    specials = list(SPECIAL)
    rows = []
    seen_texts = set()
    for theme, lang, month in plan:
        day_range = None
        if theme == "app" and month == 9:
            day_range = (8, 30) if rng.random() < 0.87 else (1, 7)
        created_text, instant = timestamp(lang, month, day_range, rng)
        post_update = theme == "app" and dt.date.fromisoformat(created_text[:10]) >= APP_UPDATE
        special = next((s for s in specials if s[0] == theme and s[1] == lang
                        and (post_update or not s[2].get("post"))), None)
        sub = None
        if special:
            specials.remove(special)
            _, _, fields, text = special
            channel = fields["channel"]
            tags = {k: v for k, v in fields.items() if k in ("stage", "product")}
            kind = {"praise": "pos", "neutral": "neutral"}.get(theme, "neg")
            if "けど" in text or " but " in text:
                kind = "mixed"
            product = product_for(theme, sub, rng, tags.get("product"))
        else:
            channel = weighted(rng, CHANNEL_WEIGHTS[theme])
            for _ in range(50):
                text, tags, kind, sub = compose(theme, lang, channel, post_update, decks, rng)
                product = product_for(theme, sub, rng, tags.get("product"))
                text = fill(text, lang, product, rng)
                if channel == "social":
                    text = decorate_social(text, theme, lang, kind, post_update, rng)
                elif lang == "ja":
                    # Some people type digits and letters full width, some katakana half width.
                    if re.search(r"[0-9A-Za-z]", text) and rng.random() < 0.5:
                        text = to_full_ascii(text)
                    if re.search("[ァ-ヶ]", text) and rng.random() < 0.12:
                        text = to_half_kana(text)
                if text not in seen_texts:
                    break
        seen_texts.add(text)
        if theme == "praise":
            stage = tags.get("stage") or weighted(rng, PRAISE_STAGE[sub or "staff"])
        else:
            stage = tags.get("stage") or weighted(rng, STAGE_WEIGHTS[theme])
        rating, nps = scores(kind, channel, rng)
        rec = {"text": text, "rating": rating, "nps": nps, "channel": channel,
               "stage": stage, "product": product, "created_at": created_text}
        if theme == "neutral" and rng.random() < 0.15:
            del rec["product"]
        if rng.random() < 0.07:
            rec["lang"] = rng.choice({"ja": ["ja", "ja-JP", "JA"],
                                      "en": ["en", "en-US", "EN"]}[lang])
        rows.append({"rec": rec, "instant": instant, "theme": theme, "lang": lang,
                     "kind": kind, "sub": sub, "post_update": post_update})
    assert not specials, specials
    rows.sort(key=lambda r: (r["instant"], r["rec"]["text"]))
    for i, row in enumerate(rows, 1):
        rec = row["rec"]
        ordered = {"id": f"fb-{i:04d}"}
        ordered.update((k, v) for k, v in rec.items() if v is not None)
        row["rec"] = ordered
    return rows


# --------------------------------------------------------------------------------------
# In-store survey (CSV, other column names)
# --------------------------------------------------------------------------------------

STORE_SURVEY = {
    "staff": (30, "pos", "purchase", {
        "ja": ["スタッフの方がとても親切で、丁寧に説明してくれました。",
               "[product=bedding] 寝具コーナーの店員さんが、枕を何種類も試させてくれました。",
               "[product=furniture] ソファのサイズで迷っていたら、採寸のコツを教えてもらえました。",
               "笑顔で挨拶してもらえて、気持ちよく買い物ができました。",
               "質問にすぐ答えてくれて助かりました。",
               "丁寧な対応で、また来たいと思いました。",
               "子どもが騒いでしまったのに、スタッフの方が優しく声をかけてくれました。",
               "配送の手続きまでスムーズに案内してもらえました。",
               "{store}の店員さんは、いつも親切です。",
               "ラッピングを丁寧にしていただき、ありがとうございました。"],
        "en": ["The staff were friendly and explained everything patiently.",
               "[product=bedding] A staff member let me try about six pillows, no pressure at all.",
               "[product=furniture] Got great advice on measuring for the sofa.",
               "Warm welcome at the door, felt very relaxed shopping.",
               "Staff answered all my questions, super helpful.",
               "Really kind staff, even with my kids running around.",
               "[product=bedding] The lady at the bedding section knew her stuff, thanks!",
               "Staff helped me load everything into the car. Above and beyond."]}),
    "quality": (20, "pos", "purchase", {
        "ja": ["展示がきれいで、部屋に置いたイメージがしやすかったです。",
               "実物を触って、品質の良さが分かりました。",
               "[product=kitchen] 土鍋の品揃えが良かったです。",
               "店内が明るく、見やすいレイアウトでした。",
               "値段の割に、作りがしっかりしていると感じました。",
               "{item}を実際に試せたのが良かったです。"],
        "en": ["Lovely displays, easy to picture things at home.",
               "Seeing the fabric in person convinced me, great quality.",
               "[product=kitchen] Good range of kitchenware, better than online.",
               "Bright, tidy store, easy to find things.",
               "Being able to try the {item} in person made all the difference."]}),
    "register": (15, "neg", "purchase", {
        "ja": ["レジが一台しか開いておらず、{minutes}分並びました。",
               "週末はレジ待ちが長すぎます。",
               "セルフレジが故障していて、結局有人レジに並びました。",
               "会計に時間がかかりすぎです。"],
        "en": ["Only one register open, waited {minutes} minutes.",
               "Checkout queue was way too long on a Saturday.",
               "Self-checkout was broken, so everyone piled into one line.",
               "Paying took longer than choosing, honestly."]}),
    "rude": (12, "neg", "support", {
        "ja": ["店員の態度が悪く、質問しても面倒くさそうにされました。",
               "スタッフの対応が最悪でした。",
               "話しかけても無視されました。",
               "在庫を聞いたら\"ないです\"の一言で終わりでした。"],
        "en": ["The staff member was rude and clearly didn't want to help.",
               "Asked a simple question and got an eye roll.",
               "Was ignored at the counter for ages.",
               "The answer to \"do you have this in stock?\" was just \"no\", and then he walked off."]}),
    "stock": (12, "neg", "purchase", {
        "ja": ["欲しかった{item}が在庫切れでした。",
               "サイトでは\"在庫あり\"だったのに、店舗にはありませんでした。",
               "展示品しかなく、取り寄せに{n}週間かかると言われました。"],
        "en": ["The {item} I came for was out of stock.",
               "Website said \"in stock at this store\", it wasn't.",
               "Only the display model left, {n}-week wait to order one."]}),
    "delivery": (10, "neg", "purchase", {
        "ja": ["店舗で買った{item}の配送が{n}週間後と言われました。",
               "配送日の希望が全然通りませんでした。",
               "配送予定日を過ぎても届かず、店舗に確認しても分からないと言われました。"],
        "en": ["Delivery for the {item} I bought in store is {n} weeks out.",
               "Couldn't get a delivery date that works, earliest is in {n} weeks.",
               "Bought in store, delivery is already late, and the store can't tell me why."]}),
    "returns": (8, "neg", "support", {
        "ja": ["レシートがないと返品できないと言われました。",
               "返品カウンターで{minutes}分待たされました。",
               "返金は商品券のみと言われ、納得できません。"],
        "en": ["Couldn't return without a receipt, even with the card I paid with.",
               "Waited {minutes} minutes at the returns desk.",
               "Refund only as a gift card? Not happy."]}),
    "fees": (8, "neg", "purchase", {
        "ja": ["[product=furniture] 家具の配送料が{amount}円と高かったです。",
               "[product=furniture] 組み立て費用が別途かかるのは、先に教えてほしかったです。"],
        "en": ["[product=furniture] Furniture delivery fee of ¥{amount} is steep.",
               "[product=furniture] Assembly fee wasn't mentioned until I was paying, which felt sneaky."]}),
    "neutral": (5, "neutral", "purchase", {
        "ja": ["特になし。", "駐車場がもう少し広いと嬉しいです。", "普通でした。"],
        "en": ["Nothing to add.", "Parking could be bigger.", "It was okay."]}),
}


def build_survey(rng: random.Random) -> list[dict]:
    jobs = [(theme, spec) for theme, spec in STORE_SURVEY.items() for _ in range(spec[0])]
    langs = ["ja"] * 66 + ["en"] * (len(jobs) - 66)
    rng.shuffle(langs)
    decks: dict = {}
    out, seen = [], set()
    pos_themes = ["staff", "quality"]
    neg_themes = ["register", "stock", "delivery", "returns", "fees", "rude"]
    for (theme, (count, kind, stage, bank)), lang in zip(jobs, langs):
        sep = "" if lang == "ja" else " "
        for _ in range(50):
            key = (theme, lang)
            if key not in decks:
                decks[key] = Deck(bank[lang], rng)
            product = weighted(rng, {"furniture": 45, "kitchen": 30, "bedding": 25})
            first = decks[key].draw()
            tags, first_text = split_tags(first)
            product = tags.get("product", product)
            parts = [fill(first_text, lang, product, rng)]

            def fits(t: str) -> bool:
                return split_tags(t)[0].get("product", product) == product

            mixed = False
            if theme != "neutral" and rng.random() < 0.25:
                other = rng.choice([t for t in (neg_themes if kind == "pos" else pos_themes)
                                    if any(fits(x) for x in STORE_SURVEY[t][3][lang])])
                extra = fill(split_tags(rng.choice([t for t in STORE_SURVEY[other][3][lang]
                                                    if fits(t)]))[1], lang, product, rng)
                if lang == "en":
                    lead = "Only downside: " if kind == "pos" else "On the plus side, "
                    parts.append(lead + (extra if extra.startswith("I ") else
                                         extra[0].lower() + extra[1:]))
                else:
                    parts.append(("ただ、" if kind == "pos" else "でも、") + extra)
                mixed = True
            elif rng.random() < 0.3:
                others = [t for t in bank[lang] if t != first and fits(t)]
                if others:
                    parts.append(fill(split_tags(rng.choice(others))[1], lang, product, rng))
            joiner = "\n" if len(parts) > 1 and rng.random() < 0.35 else sep
            text = joiner.join(parts)
            if text not in seen:
                break
        seen.add(text)
        month = rng.randint(5, 10)
        day = rng.randint(1, 28 if month != 2 else 28)
        visit = dt.date(2026, month, day)
        skind = "mixed" if mixed else kind
        rating, nps = scores(skind, "store", rng)
        if rng.random() < 0.25:
            nps = None
        out.append({"comment": text, "score": rating, "nps_score": nps,
                    "store_channel": "store", "visit_date": visit.isoformat(),
                    "product_line": product, "touchpoint": stage,
                    "_theme": theme, "_lang": lang, "_visit": visit})
    out.sort(key=lambda r: (r["_visit"], r["comment"]))
    for i, r in enumerate(out, 1):
        r["response_id"] = f"S-{2026000 + i}"
    return out


SURVEY_COLUMNS = ["response_id", "comment", "score", "nps_score", "store_channel",
                  "visit_date", "product_line", "touchpoint"]


# --------------------------------------------------------------------------------------
# Broken sample: good records and every kind of bad line, at fixed line numbers
# --------------------------------------------------------------------------------------

def long_text(rng: random.Random, min_bytes: int = 120_000) -> str:
    """A rambling review over 100 KB, on one line."""
    pool = []
    for theme in ("delivery", "app", "support", "fees", "damage", "refunds"):
        for p in ("core", "detail"):
            pool.extend(THEMES[theme]["ja"].get(p, []))
    out, size = [], 0
    while size < min_bytes:
        s = fill(rng.choice(pool), "ja", "furniture", rng)
        out.append(s)
        size += len(s.encode())
    return "".join(out)


def j(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def broken_lines(rng: random.Random) -> list[tuple[bytes, str, str]]:
    """(raw line without newline, expectation, description)."""
    return [
        (j({"id": "bs-01", "text": "配送が予定より3日遅れました。連絡もなかったです。", "rating": 2,
            "nps": 3, "channel": "web", "stage": "delivery", "product": "furniture",
            "created_at": "2026-07-02T10:15:00+09:00"}), "ok", "good record (ja)"),
        (j({"id": "bs-02", "text": "The app crashes every time I open my cart.", "rating": 1,
            "channel": "app", "stage": "usage", "product": "app",
            "created_at": "2026-09-21T08:30:00Z"}), "ok", "good record (en)"),
        (b'{"id": "bs-03", "text": "\xe5\xb1\x8a\xe3\x81\x8b\xe3\x81\xaa\xe3\x81\x84", "rating": 2',
         "reject", "broken JSON: object never closed (truncated line)"),
        (j({"id": "bs-04", "text": "スタッフの方がとても親切でした。", "rating": 5, "nps": 10,
            "channel": "store", "stage": "purchase", "product": "bedding",
            "created_at": "2026-06-11"}), "ok", "good record (ja, plain date)"),
        (j({"id": "bs-05", "rating": 3, "channel": "web", "stage": "purchase",
            "created_at": "2026-08-01T12:00:00Z"}), "reject", "missing text field"),
        (j({"id": "bs-06", "text": "", "rating": 4, "channel": "web",
            "created_at": "2026-08-02T12:00:00Z"}), "reject", "empty text \"\""),
        (j({"id": "bs-07", "text": "  \t\u3000 ", "rating": 3, "channel": "app",
            "created_at": "2026-08-03T12:00:00Z"}), "reject",
         "whitespace-only text (spaces, a tab, an ideographic space U+3000)"),
        (j({"id": "bs-08", "text": "Delivery was late but the staff were kind.", "rating": 3,
            "nps": 6, "channel": "support", "stage": "delivery",
            "product": "delivery-service", "created_at": "2026-10-05T17:45:00-05:00"}), "ok",
         "good record (en, mixed review, negative UTC offset)"),
        (j({"id": "bs-09", "text": "送料が高すぎます。", "rating": 2, "channel": "web",
            "created_at": "last Tuesday"}), "reject", "unparsable date \"last Tuesday\""),
        (j({"id": "bs-10", "text": "Great sofa, comfy and solid.", "rating": 9,
            "channel": "web", "created_at": "2026-05-20T09:00:00Z"}), "reject",
         "rating 9 (out of 1–5)"),
        (j({"id": "bs-11", "text": "店員さんの対応が丁寧でした。", "rating": 5, "nps": 11,
            "channel": "store", "created_at": "2026-05-21T09:00:00+09:00"}), "reject",
         "nps 11 (out of 0–10)"),
        (b"[1,2]", "reject", "not a JSON object (an array)"),
        (j({"id": "bs-13", "text": "返品の手続きが分かりにくいです。", "rating": 2,
            "channel": "support", "stage": "support", "product": "kitchen",
            "created_at": "2026-09-09T14:00:00+09:00", "store_code": "SBY-01",
            "survey": {"wave": 3}}), "ok",
         "unknown extra fields (store_code, survey): accepted, extras ignored"),
        (b"", "skip", "blank line: skipped, neither a record nor a reject"),
        (j({"id": "bs-15", "text": "ｱﾌﾟﾘでﾛｸﾞｲﾝできない。ＩＤは合っているのに…", "rating": 1,
            "channel": "app", "stage": "onboarding", "product": "app",
            "created_at": "2026-10-12T22:10:00+09:00", "lang": "ja"}), "ok",
         "good record (ja, half-width katakana and full-width letters, lang given)"),
        (b'{"id": "bs-16", "text": "\xe9\x85\x8d\xe9\x80 broken \xff\xfe bytes", "rating": 2}',
         "reject", "invalid UTF-8: a truncated 3-byte sequence and 0xFF 0xFE"),
        (j({"id": "bs-17", "text": "Bought a kettle at the Kyoto store. Works fine.",
            "rating": 4, "channel": "store", "stage": "purchase", "product": "kitchen",
            "created_at": "2026-07-30T11:00:00+09:00"}), "ok", "good record (en)"),
        (j({"id": "bs-18", "text": long_text(rng), "rating": 1, "channel": "support",
            "stage": "support", "product": "furniture",
            "created_at": "2026-08-18T23:59:00+09:00"}), "ok*",
         "very long text (over 100 KB on one line): valid JSON; koe's size limit decides"),
        (j({"id": "bs-19", "text": "@hanamori_jp 昨日頼んだのにもう届いた📦 #ハナモリ", "channel": "social",
            "stage": "delivery", "product": "delivery-service",
            "created_at": "2026-06-30T20:05:00+09:00"}), "ok",
         "good record (ja social post, no rating or nps)"),
        (j({"id": "bs-20", "text": "Hidden fees at checkout, again.", "rating": 2, "nps": 0,
            "channel": "web", "stage": "purchase", "product": "kitchen",
            "created_at": "2026-10-31T23:00:00Z"}), "ok", "good record (en, last day)"),
    ]


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

def write_all(out_dir: Path, seed: int) -> None:
    rng = random.Random(seed)
    rows = build_feedback(rng)
    with open(out_dir / "shop-feedback.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row["rec"], ensure_ascii=False) + "\n")
    with open(out_dir / "shop-feedback.labels.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "lang", "theme", "subtheme", "sentiment", "after_app_update"])
        for row in rows:
            w.writerow([row["rec"]["id"], row["lang"], row["theme"], row["sub"] or "",
                        row["kind"], "yes" if row["post_update"] else ""])

    survey = build_survey(random.Random(seed + 1))
    with open(out_dir / "store-survey.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(SURVEY_COLUMNS)
        for r in survey:
            w.writerow(["" if r[c] is None else r[c] for c in SURVEY_COLUMNS])

    with open(out_dir / "broken-sample.jsonl", "wb") as f:
        for raw, _, _ in broken_lines(random.Random(seed + 2)):
            f.write(raw + b"\n")


# --------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------

KEYWORDS = {  # after NFKC and lower-casing; every pain record must hit its theme
    "delivery": ["配送", "届", "遅延", "配達", "発送", "着", "到着", "荷物", "delivery",
                 "deliver", "arrive", "late", "delay", "waiting", "tracking", "package", "ship",
                 "transit", "order", "driver"],
    "app": ["アプリ", "アプデ", "ログイン", "強制終了", "落ち", "フリーズ", "固ま", "エラー",
            "クラッシュ", "app", "crash", "log in", "freez", "froze", "error", "update",
            "v5.2", "5.2", "loads", "spins", "search"],
    "support": ["対応", "電話", "態度", "サポート", "問い合わせ", "返信", "オペレーター", "店員",
                "保留", "チャット", "担当", "rude", "hold", "support", "agent", "service",
                "callback", "phone", "staff", "policy", "reply", "cashier"],
    "fees": ["送料", "手数料", "料金", "年会費", "値上げ", "値段", "有料", "円", "高", "shipping",
             "fee", "cost", "charge", "price", "pricey", "¥", "expensive", "surcharge"],
    "damage": ["破損", "傷", "割れ", "ひび", "へこ", "折れ", "欠け", "破れ", "曲が", "broken",
               "scratch", "crack", "damage", "dent", "smash", "chipped", "snapped", "bent",
               "tear", "pieces", "scuffs"],
    "refunds": ["返品", "返金", "refund", "return"],
}


def detect_lang(text: str) -> str:
    """The same rule koe's src/text/lang.rs applies (without entity skipping)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"https?://\S+|[@#]\w+", " ", text)
    ja = sum(1 for c in text if "\u3040" <= c <= "\u30ff" or "\u31f0" <= c <= "\u31ff"
             or "\u3400" <= c <= "\u4dbf" or "\u4e00" <= c <= "\u9fff" or c in "々〆")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "ja" if ja > 0 and ja * 3 >= latin else "en"


def parse_created(s: str) -> dt.datetime:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        d = dt.date.fromisoformat(s)
        return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})", s):
        raise ValueError(f"not RFC 3339: {s!r}")
    return dt.datetime.fromisoformat(s).astimezone(dt.timezone.utc)


def check(out_dir: Path) -> int:
    problems: list[str] = []

    def need(cond: bool, msg: str):
        if not cond:
            problems.append(msg)

    # shop-feedback.jsonl
    labels = {}
    with open(out_dir / "shop-feedback.labels.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            labels[row["id"]] = row
    recs = []
    with open(out_dir / "shop-feedback.jsonl", "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.decode("utf-8")
            need(line.endswith("\n"), f"feedback line {n}: no newline")
            rec = json.loads(line)
            recs.append(rec)
            need(isinstance(rec, dict), f"line {n}: not an object")
            need(re.fullmatch(r"fb-\d{4}", rec["id"]) is not None, f"line {n}: id")
            need(isinstance(rec["text"], str) and rec["text"].strip() != "", f"line {n}: text")
            need(set(rec) <= {"id", "text", "rating", "nps", "channel", "stage", "product",
                              "created_at", "lang"}, f"line {n}: unknown field")
            if "rating" in rec:
                need(type(rec["rating"]) is int and 1 <= rec["rating"] <= 5, f"line {n}: rating")
            if "nps" in rec:
                need(type(rec["nps"]) is int and 0 <= rec["nps"] <= 10, f"line {n}: nps")
            need(rec["channel"] in CHANNELS, f"line {n}: channel")
            need(rec["stage"] in STAGES, f"line {n}: stage")
            need(rec.get("product", "app") in PRODUCTS, f"line {n}: product")
            when = parse_created(rec["created_at"])
            need(START <= when.date() <= END, f"line {n}: date out of range")
            lab = labels[rec["id"]]
            need(detect_lang(rec["text"]) == lab["lang"],
                 f"line {n}: detected {detect_lang(rec['text'])} but built as {lab['lang']}")
            if "lang" in rec:
                need(rec["lang"].lower()[:2] == lab["lang"], f"line {n}: lang field")
            if lab["theme"] in KEYWORDS:
                norm = unicodedata.normalize("NFKC", rec["text"]).lower()
                need(any(k in norm for k in KEYWORDS[lab["theme"]]),
                     f"line {n}: no {lab['theme']} keyword: {rec['text']!r}")
            if lab["sentiment"] == "neg" and "rating" in rec:
                need(rec["rating"] <= 4, f"line {n}: negative with rating {rec['rating']}")
            if lab["sentiment"] == "pos" and "rating" in rec:
                need(rec["rating"] >= 3, f"line {n}: positive with rating {rec['rating']}")
    ids = [r["id"] for r in recs]
    need(len(ids) == len(set(ids)), "duplicate ids")
    texts = [r["text"] for r in recs]
    need(len(texts) == len(set(texts)), "duplicate texts")
    need(set(ids) == set(labels), "labels do not match records")
    all_text = "\n".join(texts)
    for s in ("スタッフの対応が最悪でした", "二度と使いません", "とても満足しています"):
        need(all_text.count(s) >= 2, f"sentence {s} appears {all_text.count(s)} times")

    def tally(key) -> dict:
        return dict(sorted(collections.Counter(key(r) for r in recs).items()))

    lab_of = lambda r: labels[r["id"]]  # noqa: E731
    month_of = lambda r: parse_created(r["created_at"]).strftime("%Y-%m")  # noqa: E731
    stats = {
        "records": len(recs),
        "lang": tally(lambda r: lab_of(r)["lang"]),
        "channel": tally(lambda r: r["channel"]),
        "stage": tally(lambda r: r["stage"]),
        "product": tally(lambda r: r.get("product", "(none)")),
        "theme": tally(lambda r: lab_of(r)["theme"]),
        "sentiment": tally(lambda r: lab_of(r)["sentiment"]),
        "month (UTC)": tally(month_of),
        "rating present": sum("rating" in r for r in recs),
        "nps present": sum("nps" in r for r in recs),
        "lang given": sum("lang" in r for r in recs),
        "plain dates": sum(len(r["created_at"]) == 10 for r in recs),
        "Z dates": sum(r["created_at"].endswith("Z") for r in recs),
        "with @mention": sum(bool(re.search(r"(^|\s)@\w", r["text"])) for r in recs),
        "with #hashtag": sum(bool(re.search(r"(^|\s)#\w", r["text"])) for r in recs),
        "with URL": sum("https://" in r["text"] for r in recs),
        "with emoji": sum(any(ord(c) >= 0x1F300 for c in r["text"]) for r in recs),
        "with full-width letters/digits": sum(
            bool(re.search("[０-９Ａ-Ｚａ-ｚ]", r["text"])) for r in recs),
        "with half-width katakana": sum(any("\uff66" <= c <= "\uff9f" for c in r["text"])
                                        for r in recs),
        "with newline": sum("\n" in r["text"] for r in recs),
        "mixed-script (ja with 5+ Latin letters)": sum(
            lab_of(r)["lang"] == "ja" and len(re.findall(r"[A-Za-z]", re.sub(
                r"https?://\S+|[@#]\w+", "", r["text"]))) >= 5 for r in recs),
        "text length min/median/max": (lambda ls: (ls[0], ls[len(ls) // 2], ls[-1]))(
            sorted(len(t) for t in texts)),
    }
    need(stats["lang"].get("ja", 0) / len(recs) > 0.5, "ja share")
    need(0.5 <= stats["nps present"] / len(recs) <= 0.7, "nps share")
    need(stats["rating present"] / len(recs) >= 0.7, "rating share")
    per_month = collections.defaultdict(collections.Counter)
    for r in recs:
        per_month[lab_of(r)["theme"]][month_of(r)] += 1
    stats["theme x month (UTC)"] = {t: dict(sorted(c.items())) for t, c in
                                    sorted(per_month.items())}
    app = per_month["app"]
    need(app["2026-09"] + app["2026-10"] > 2 * (app["2026-07"] + app["2026-08"]),
         "app trend missing")
    for r in recs:
        if labels[r["id"]]["after_app_update"] == "yes":
            need(parse_created(r["created_at"]).date() >= APP_UPDATE - dt.timedelta(days=1),
                 f"{r['id']}: update complaint before the update")

    # store-survey.csv
    with open(out_dir / "store-survey.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        need(reader.fieldnames == SURVEY_COLUMNS, f"survey columns {reader.fieldnames}")
        srows = list(reader)
    raw_csv = (out_dir / "store-survey.csv").read_text(encoding="utf-8")
    for r in srows:
        need(r["comment"].strip() != "", f"survey {r['response_id']}: comment")
        need(r["score"] == "" or 1 <= int(r["score"]) <= 5, f"survey {r['response_id']}: score")
        need(r["nps_score"] == "" or 0 <= int(r["nps_score"]) <= 10,
             f"survey {r['response_id']}: nps")
        need(r["store_channel"] == "store", "survey channel")
        need(r["touchpoint"] in ("purchase", "support"), "survey touchpoint")
        need(START <= dt.date.fromisoformat(r["visit_date"]) <= END, "survey date")
        need(r["product_line"] in ("furniture", "kitchen", "bedding"), "survey product")
    need(len({r["response_id"] for r in srows}) == len(srows), "survey ids")
    sstats = {
        "rows": len(srows),
        "lang": dict(collections.Counter(detect_lang(r["comment"]) for r in srows)),
        "touchpoint": dict(collections.Counter(r["touchpoint"] for r in srows)),
        "score present": sum(r["score"] != "" for r in srows),
        "nps_score present": sum(r["nps_score"] != "" for r in srows),
        "comments with comma": sum("," in r["comment"] or "、" in r["comment"] for r in srows),
        "comments with ASCII comma": sum("," in r["comment"] for r in srows),
        "comments with double quote": sum('"' in r["comment"] for r in srows),
        "comments with newline": sum("\n" in r["comment"] for r in srows),
        "physical lines in file": raw_csv.count("\n"),
    }
    for k in ("comments with ASCII comma", "comments with double quote", "comments with newline"):
        need(sstats[k] > 0, f"survey: no {k}")

    # broken-sample.jsonl
    expected = broken_lines(random.Random(SEED + 2))
    raw_lines = (out_dir / "broken-sample.jsonl").read_bytes().split(b"\n")
    need(raw_lines[-1] == b"", "broken sample: no final newline")
    raw_lines = raw_lines[:-1]
    need(len(raw_lines) == len(expected), "broken sample: line count")
    bstats = []
    for n, (raw, (_, expect, desc)) in enumerate(zip(raw_lines, expected), 1):
        verdict = "ok"
        try:
            line = raw.decode("utf-8")
            if not line.strip():
                verdict = "skip"
            else:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    verdict = "reject"
                elif not isinstance(obj.get("text"), str) or not obj["text"].strip():
                    verdict = "reject"
                elif "rating" in obj and not 1 <= obj["rating"] <= 5:
                    verdict = "reject"
                elif "nps" in obj and not 0 <= obj["nps"] <= 10:
                    verdict = "reject"
                else:
                    parse_created(obj["created_at"])
        except (UnicodeDecodeError, json.JSONDecodeError, ValueError):
            verdict = "reject"
        need(verdict == expect.rstrip("*"), f"broken line {n}: {verdict}, expected {expect}")
        bstats.append(f"{n:>2} {expect:<6} {len(raw):>7} B  {desc}")

    print(json.dumps(stats, ensure_ascii=False, indent=1))
    print(json.dumps(sstats, ensure_ascii=False, indent=1))
    print("\n".join(bstats))
    if problems:
        print(f"\n{len(problems)} problem(s):", *problems[:50], sep="\n  ", file=sys.stderr)
        return 1
    print("\nall checks passed", file=sys.stderr)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=HERE)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--check", action="store_true", help="validate the files and print counts")
    args = ap.parse_args()
    if args.check:
        return check(args.out_dir)
    write_all(args.out_dir, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
