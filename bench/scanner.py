"""Compliance scanner throughput: kefu's full pipeline against raw pyahocorasick and Python `re`.

    kefu bench scanner [--messages 50000] [--terms 5000] [--re-messages 2000] [--batch 1000] [--runs 5]
                       [--long-text-mb 1.0]

Generates realistic shop-chat messages (1% evasions — full-width digits, numerals, separators,
Traditional characters, homophones, red packets, transfers — a generous share: the seed's 22% of
conversations with private contact are one or two messages in each) in conversations of 8 messages,
and a lexicon of at least `--terms` terms (the built-in policy plus generated branch slang). All
subjects scan the same texts with the same terms. Prints one JSON line per figure:

    {"bench": "scanner", "subject": ..., "metric": "msgs_per_s"|"mb_per_s"|"seconds"|"peak_rss_mb",
     "value": ..., "unit": ...}

Subjects (msgs_per_s and mb_per_s each):

- "kefu": the full pipeline as `kefu scan`, imports and re-scans run it — `Scanner.scan_many` on
  batches of `--batch` messages with speakers and conversations (trigger over the joined batch,
  fold, lexicon and context rules for the messages it picks, conversation window, verdicts and
  spans mapped back to the original). Same results as "kefu_single" (a test proves it).
- "kefu_single": the same pipeline one message at a time (`Scanner.scan`), as the live chat
  calls it for each message (latency path).
- "baseline:pyahocorasick": raw pyahocorasick, one automaton of every term (unfolded, no rules),
  `list(automaton.iter(text))` per message, as a user of the library scans messages one by one.
- "baseline:re": one compiled `re` alternation of every term (longest first), `findall` per message;
  measured on the first `--re-messages` messages because it is slow (its rate is per message, so it
  compares directly).

Long messages (subject "kefu:long_text", per kind: ordinary chat, dense hits, digits and separators):
"seconds" for one message of 1/8, 1/4, 1/2 and all of `--long-text-mb` (default 1 MB), and
"linearity" = cost per MB of the largest over the smallest (about 1.0 when the scan is linear).

Also "seconds" with phase "build" (subject "kefu": `compile_policy` — fold of every term, the
automaton and the trigger regexes; the baselines: their automaton / regex) and "peak_rss_mb"
(subject "kefu": peak resident memory of the whole benchmark process; subject "kefu:automaton":
the kefu automaton's own size from pyahocorasick's statistics).

Timing: wall clock (`time.perf_counter`), best of `--runs` rounds after a warm-up, each round timing
every subject once in turn (a slow spell of a shared machine then hits all subjects alike); compare
the ratios (printed to stderr) within one run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import ahocorasick

from kefu.compliance.scanner import Scanner, ScannerPolicy, compile_policy, default_policy

# --- realistic messages --------------------------------------------------------------------------

GREETINGS = ["亲", "您好", "亲亲", "在的", "您好亲", "嗯嗯", "好的", "收到", "亲爱的"]
PRODUCTS = [
    "连衣裙",
    "运动鞋",
    "保温杯",
    "蓝牙耳机",
    "手机壳",
    "羽绒服",
    "面膜",
    "行李箱",
    "电饭煲",
    "儿童书包",
    "床单四件套",
]
# (weight, template): everyday questions dominate; payment methods, hotline, refusals are rarer
CLEAN_TEMPLATES = [
    (6, "{g}，这款{p}有货的，今天下单明天发"),
    (5, "{g}，{p}的尺码偏大一码，建议拍小一码哦"),
    (6, "请问{p}什么时候发货？"),
    (4, "我买的{p}到哪了，三天了还没动"),
    (5, "{g}，已经帮您催促快递了，请耐心等待"),
    (3, "订单号 {order} 麻烦查一下物流"),
    (2, "顺丰单号 SF{track}，请注意查收"),
    (1, "中通快递 7{track}，预计后天送达"),
    (3, "这款{p}原价{price}元，现在活动价{price2}元"),
    (2, "满{full}减{cut}，可以和店铺优惠券叠加"),
    (3, "{g}，支持七天无理由退换，运费险已经帮您买了"),
    (1, "可以用微信支付吗？"),
    (1, "支付宝付款成功了但是订单显示未付款"),
    (2, "退款会原路退回您的支付账户，1-3个工作日到账"),
    (3, "收到的{p}有点破损，能换一个吗"),
    (3, "{g}，麻烦拍一下破损的照片给我们"),
    (3, "预计{month}月{day}日送达，{hour}:00前签收"),
    (1, "下单前记得领取店铺红包哦"),
    (1, "如有问题请拨打官方客服热线 400-820-8820"),
    (3, "颜色是图片上的{color}吗"),
    (4, "能便宜点吗，我买{n}件"),
    (3, "{g}，这已经是最低价了，送您一个小礼品"),
    (6, "好的，谢谢😊"),
    (6, "嗯嗯，没问题～"),
    (2, "帮我转人工"),
    (1, "我帮您转接售后同事处理"),
    (2, "可以开发票吗？抬头是公司名称"),
    (1, "电子发票会在确认收货后发到您的邮箱"),
    (2, "质量问题我们包退换，来回运费我们承担"),
    (3, "{p}怎么清洗？可以机洗吗"),
    (3, "请问有没有{color}的{p}"),
    (4, "已经拍下了，麻烦尽快发货"),
    (3, "地址写错了，能改一下吗"),
    (3, "{g}，地址已经帮您修改好了"),
    (4, "不好意思让您久等了"),
    (2, "这边已经给您登记了，售后专员会联系您"),
    (1, "我们不能加客户微信哦，有问题在这里说就好"),
    (1, "红包就不用了，谢谢亲，这是我们应该做的"),
    (1, "扫描包装上的二维码可以验证真伪"),
    (3, "库存还有{stock}件，放心拍"),
    (5, "在吗"),
    (5, "{g}，在的，请问有什么可以帮您"),
    (4, "这个{p}是正品吗"),
    (4, "{g}，我们是官方旗舰店，保证正品"),
    (3, "今天能发出吗？急用"),
    (3, "{g}，下午五点前的订单当天发出"),
    (3, "{p}有赠品吗"),
    (2, "买两件能包邮吗"),
    (3, "{g}，满{full}包邮哦"),
    (3, "我要退货，怎么操作"),
    (3, "{g}，在订单页面点申请退货就可以了"),
    (2, "退货地址发我一下"),
    (2, "{p}的材质是什么"),
    (2, "尺码表在详情页第三张图"),
    (3, "好的亲，还有其他问题吗"),
    (3, "没有了，谢谢"),
    (2, "给个好评吧亲，谢谢支持"),
    (2, "物流显示已签收，但是我没收到"),
    (2, "{g}，可能放在快递柜了，您查一下取件码"),
]
_WEIGHTS = [weight for weight, _ in CLEAN_TEMPLATES]
_CLEAN = [template for _, template in CLEAN_TEMPLATES]
VIOLATION_TEMPLATES = [
    "加我{wx}：{wxid}，私下给你便宜点",
    "有事直接{wx}联系我 {wxid}",
    "我电话 {phone}，有问题直接打",
    "加我扣扣 {qq}，发你资料",
    "支付宝账号 {phone}，转我就行",
    "扫码加我，给你内部价",
    "我给你发个红包，帮我加急",
    "直接转给我就行，不用走平台",
    "打到我卡上 {card}",
    "私下转账更便宜",
]
WECHAT_SPELLINGS = ["微信", "薇信", "威信", "V信", "vx", "ＶＸ", "微 信", "微.信", "绿泡泡", "微信號"]
DIGIT_FORMS = [
    lambda n: n,
    lambda n: " ".join(n),
    lambda n: "".join("〇一二三四五六七八九"[int(c)] for c in n),
    lambda n: "".join("零壹贰叁肆伍陆柒捌玖"[int(c)] for c in n),
    lambda n: "".join(chr(0xFF10 + int(c)) for c in n),
    lambda n: f"{n[:3]}-{n[3:7]}-{n[7:]}",
]


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def generate_messages(count: int, *, seed: int) -> list[tuple[str, str, str]]:
    """(text, speaker, conversation) triples: 99% ordinary talk, 1% evasions."""
    rng = random.Random(seed)
    messages: list[tuple[str, str, str]] = []
    for index in range(count):
        conversation = f"c{index // 8}"
        speaker = rng.choice(["agent", "customer"])
        if rng.random() < 0.01:
            template = rng.choice(VIOLATION_TEMPLATES)
            phone = "1" + rng.choice("3589") + _digits(rng, 9)
            text = template.format(
                wx=rng.choice(WECHAT_SPELLINGS),
                wxid=rng.choice(["lily", "amy", "kefu", "momo"]) + "_" + _digits(rng, 4),
                phone=rng.choice(DIGIT_FORMS)(phone),
                qq=rng.choice(DIGIT_FORMS)(_digits(rng, 9)),
                card="6222" + _digits(rng, 15),
            )
        else:
            text = rng.choices(_CLEAN, weights=_WEIGHTS)[0].format(
                g=rng.choice(GREETINGS),
                p=rng.choice(PRODUCTS),
                order=rng.choice("1234") + _digits(rng, 18),
                track=_digits(rng, 12),
                price=rng.randint(50, 2000),
                price2=rng.randint(30, 1500),
                full=rng.choice([99, 199, 299]),
                cut=rng.choice([10, 20, 30]),
                month=rng.randint(1, 12),
                day=rng.randint(1, 28),
                hour=rng.randint(9, 21),
                color=rng.choice(["黑色", "白色", "红色", "蓝色", "杏色"]),
                n=rng.randint(2, 5),
                stock=rng.randint(10, 5000),
            )
        messages.append((text, speaker, conversation))
    return messages


# --- a large, realistic lexicon --------------------------------------------------------------------

_VERBS = [
    "加",
    "加我",
    "加个",
    "加下",
    "私加",
    "添加",
    "留个",
    "给个",
    "发个",
    "求个",
    "换个",
    "互加",
    "报个",
    "要个",
    "搜我",
]
_CHANNELS = {
    "contact_wechat": [
        "薇信",
        "威信",
        "徽信",
        "维信",
        "V信",
        "vx",
        "wx",
        "绿泡泡",
        "卫星",
        "微x",
        "v号",
        "唯信",
        "微芯",
    ],
    "contact_qq": ["扣扣", "企鹅", "抠抠", "球球", "q号", "qq号", "秋秋", "叩叩"],
    "contact_phone": ["私人电话", "私人号码", "私人手机", "私号", "工作手机"],
    "contact_alipay": ["吱付宝", "支护宝", "zfb", "支fu宝", "芝付宝"],
    "contact_qr": ["个人码", "私人二维码", "名片", "个人二维码"],
}
_SUFFIXES = ["", "号", "聊", "联系", "私聊", "详聊", "好友", "吧", "呗"]
_MONEY = {
    "red_packet": (
        ["发", "给", "塞", "包", "私发", "转"],
        ["个红包", "个大红包", "个小红包", "点红包", "个hb", "个洪包"],
    ),
    "private_transfer": (
        ["私下", "直接", "线下", "单独", "偷偷"],
        ["转账", "付款", "打款", "汇款", "交易", "转给我", "打给我"],
    ),
}


def lexicon_policy(minimum_terms: int, *, seed: int) -> ScannerPolicy:
    """The built-in policy plus generated branch slang, at least `minimum_terms` terms in all."""
    base = default_policy(version=1000)
    extra: dict[str, set[str]] = {rule.name: set() for rule in base.categories}
    for category, channels in _CHANNELS.items():
        for verb, channel, suffix in itertools.product(_VERBS, channels, _SUFFIXES):
            extra[category].add(f"{verb}{channel}{suffix}")
    for category, (verbs, objects) in _MONEY.items():
        for verb, thing, tail in itertools.product(verbs, objects, ["", "给你", "吧", "呗", "哈"]):
            extra[category].add(f"{verb}{thing}{tail}")
    rng = random.Random(seed)
    rules = []
    existing = sum(len(rule.terms) + len(rule.aliases) for rule in base.categories)
    pool = [(category, term) for category, terms in extra.items() for term in sorted(terms)]
    rng.shuffle(pool)
    needed = max(0, minimum_terms - existing)
    chosen: dict[str, list[str]] = {}
    for category, term in pool[: max(needed, min(len(pool), minimum_terms))]:
        chosen.setdefault(category, []).append(term)
    for rule in base.categories:
        rules.append(replace(rule, terms=(*rule.terms, *chosen.get(rule.name, ()))))
    return replace(base, categories=tuple(rules))


def all_terms(policy: ScannerPolicy) -> list[str]:
    return sorted({term for rule in policy.categories for term in (*rule.terms, *rule.aliases)})


# --- measurement ------------------------------------------------------------------------------


def _emit(subject: str, metric: str, value: float, unit: str, **extra: Any) -> None:
    record = {"bench": "scanner", "subject": subject, "metric": metric, "value": round(value, 3), "unit": unit}
    record.update(extra)
    print(json.dumps(record, ensure_ascii=False), flush=True)


def _rates(subject: str, seconds: float, messages: list[str]) -> float:
    megabytes = sum(len(text.encode()) for text in messages) / 1_000_000
    _emit(subject, "msgs_per_s", len(messages) / seconds, "msg/s")
    _emit(subject, "mb_per_s", megabytes / seconds, "MB/s")
    return len(messages) / seconds


def _best(runs: int, work: Callable[[], object]) -> float:
    """Fewest wall-clock seconds of `runs` runs of `work` (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


# Long single messages: ordinary chat, a hit every few characters (every context rule engaged), and
# digits with separators (the number recognisers' worst case).
LONG_TEXT_KINDS = {
    "ordinary": ["您好，请问有什么可以帮您？", "订单已经发货了，", "价格是199元。", "尺码偏大"],
    "dense_hits": [
        "微信", "薇信", "vx", "ＶＸ", "扣扣", "支付宝", "二维码", "红包", "转账", "私下", "加", "我", "不能", "订单号",
        "sf", "¥", "lily_", "138", "1", "0", "一", "壹", "①", "０", " ", "，", "-", "\u200b", "😊", "號", "6222",
        "4008208820", "卡号", "打到", "收款码", "扫码", "加我",
    ],
    "digits": ["1", "3", "8", " ", "-", "一", "①"],
}  # fmt: skip


def _long_text(pieces: list[str], size_bytes: int, *, seed: int) -> str:
    rng = random.Random(seed)
    chunks: list[str] = []
    size = 0
    while size < size_bytes:
        chunk = rng.choice(pieces)
        chunks.append(chunk)
        size += len(chunk.encode())
    return "".join(chunks)


def _long_texts(largest_mb: float, *, runs: int, seed: int) -> None:
    """One message of 1/8, 1/4, 1/2 and 1 × `largest_mb` per kind: seconds each, and the cost per MB of
    the largest over that of the smallest ("linearity": 1.0 is linear, 2.0 would mean doubling)."""
    scanner = Scanner()
    for kind, pieces in LONG_TEXT_KINDS.items():
        per_mb: list[float] = []
        for fraction in (0.125, 0.25, 0.5, 1.0):
            text = _long_text(pieces, int(largest_mb * fraction * 1_000_000), seed=seed)
            seconds = _best(runs, lambda text=text: scanner.scan_text(text))
            megabytes = len(text.encode()) / 1_000_000
            _emit("kefu:long_text", "seconds", seconds, "s", kind=kind, size_mb=round(megabytes, 3))
            per_mb.append(seconds / megabytes)
        _emit("kefu:long_text", "linearity", per_mb[-1] / per_mb[0], "ratio", kind=kind)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kefu bench scanner", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--terms", type=int, default=5_000)
    parser.add_argument("--re-messages", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1_000, help="messages per scan_many call")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (the best of each subject counts)")
    parser.add_argument("--long-text-mb", type=float, default=1.0, help="largest single message scanned")
    args = parser.parse_args(argv)

    generated = generate_messages(args.messages, seed=args.seed)
    texts = [text for text, _, _ in generated]
    speakers = [speaker for _, speaker, _ in generated]
    conversations = [conversation for _, _, conversation in generated]
    policy = lexicon_policy(args.terms, seed=args.seed)
    terms = all_terms(policy)

    # warm-up: the process-wide fold tables and rule patterns are built once, not per policy
    Scanner(default_policy()).scan_many(texts[:2_000], speakers=speakers[:2_000], conversations=conversations[:2_000])
    build = _best(args.runs, lambda: compile_policy(policy))
    compiled = compile_policy(policy)
    _emit("kefu", "seconds", build, "s", phase="build")
    automaton_mb = compiled.automaton.get_stats()["total_size"] / 1_000_000
    print(f"kefu: {compiled.term_count} policy terms, {len(terms)} distinct", file=sys.stderr)

    def kefu_batches() -> None:
        scanner = Scanner(policy)
        for first in range(0, len(texts), args.batch):
            part = slice(first, first + args.batch)
            scanner.scan_many(texts[part], speakers=speakers[part], conversations=conversations[part])

    def kefu_single() -> None:
        scanner = Scanner(policy)
        for text, speaker, conversation in generated:
            scanner.scan(text, speaker=speaker, conversation=conversation)

    def aho_build() -> Any:
        automaton = ahocorasick.Automaton()
        for term in terms:
            automaton.add_word(term, term)
        automaton.make_automaton()
        return automaton

    _emit("baseline:pyahocorasick", "seconds", _best(args.runs, aho_build), "s", phase="build")
    automaton = aho_build()
    alternation = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    _emit("baseline:re", "seconds", _best(1, lambda: re.compile(alternation)), "s", phase="build")
    pattern = re.compile(alternation)
    sample = texts[: args.re_messages]

    kefu_batches()  # warm-up with this policy
    # Rounds interleave the subjects, so a slow spell of a shared machine hits all of them alike.
    subjects: dict[str, tuple[Callable[[], object], list[str]]] = {
        "kefu": (kefu_batches, texts),
        "kefu_single": (kefu_single, texts),
        "baseline:pyahocorasick": (lambda: [list(automaton.iter(t)) for t in texts], texts),
        "baseline:re": (lambda: [pattern.findall(t) for t in sample], sample),
    }
    fastest = {name: float("inf") for name in subjects}
    for _ in range(args.runs):
        for name, (work, _texts) in subjects.items():
            fastest[name] = min(fastest[name], _best(1, work))
    rate = {name: _rates(name, fastest[name], measured) for name, (_work, measured) in subjects.items()}
    kefu_rate, single_rate = rate["kefu"], rate["kefu_single"]
    aho_rate, re_rate = rate["baseline:pyahocorasick"], rate["baseline:re"]

    _long_texts(args.long_text_mb, runs=args.runs, seed=args.seed)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    _emit("kefu", "peak_rss_mb", peak, "MB")
    _emit("kefu:automaton", "peak_rss_mb", automaton_mb, "MB")
    for name, rate in (("kefu", kefu_rate), ("kefu_single", single_rate)):
        print(
            f"{name}: {rate / aho_rate:.2f}x raw pyahocorasick (goal 0.5x), {rate / re_rate:.1f}x re (goal 50x)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
