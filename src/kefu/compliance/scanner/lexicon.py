"""The policy lexicon and its compiled form.

A `ScannerPolicy` is plain data (HQ owns it, branches may add stricter terms; the database stores it
as JSON through `to_dict`). `compile_policy` turns one policy version into a `CompiledPolicy`: ONE
Aho-Corasick automaton over every folded term, alias and allowed phrase, plus the compiled regexes
of the fast path. A `PolicyHolder` swaps the compiled policy in atomically and recompiles only when
the version (or content) changes.

Two kinds of lexicon entries per category:

- terms: a phrase that on its own means the category (私下转账, 扫码加我, 加我微信), unless refused
  (不可以私下转账) or part of an allowed phrase;
- aliases: a name for the channel (微信, 薇信, vx, 绿泡泡, 扣扣, 支付宝, 红包 …) that counts only next
  to an account or number, or with a contact verb (加我…, …联系) — 微信支付 or 红包抵扣 alone do not.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import pairwise
from typing import Any

import ahocorasick

from kefu.compliance.scanner.frequency import COMMON_WORDS, GENERAL, SHOP_CHAT
from kefu.compliance.scanner.normalise import SYMBOL_WORDS, fold, fold_tables


class Action(StrEnum):
    BLOCK = "block"  # not delivered; the sender sees the policy's block message
    WARN = "warn"  # delivered; the agent is warned and branch HR alerted
    LOG = "log"  # delivered; recorded only


CONTACT_WECHAT = "contact_wechat"
CONTACT_QQ = "contact_qq"
CONTACT_PHONE = "contact_phone"
CONTACT_ALIPAY = "contact_alipay"
CONTACT_QR = "contact_qr"
BANK_CARD = "bank_card"
RED_PACKET = "red_packet"
PRIVATE_TRANSFER = "private_transfer"

CATEGORIES: tuple[str, ...] = (
    CONTACT_WECHAT,
    CONTACT_QQ,
    CONTACT_PHONE,
    CONTACT_ALIPAY,
    CONTACT_QR,
    BANK_CARD,
    RED_PACKET,
    PRIVATE_TRANSFER,
)
CONTACT_CATEGORIES: frozenset[str] = frozenset(
    {CONTACT_WECHAT, CONTACT_QQ, CONTACT_PHONE, CONTACT_ALIPAY, CONTACT_QR, BANK_CARD}
)

_CHANNELS = frozenset({CONTACT_WECHAT, CONTACT_QQ, CONTACT_PHONE, CONTACT_ALIPAY, CONTACT_QR})

_SEVERITY = {Action.LOG: 0, Action.WARN: 1, Action.BLOCK: 2}


@dataclass(frozen=True, slots=True)
class CategoryRule:
    """What the policy says about one category."""

    name: str
    action: Action
    terms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"action": str(self.action), "terms": list(self.terms), "aliases": list(self.aliases)}


@dataclass(frozen=True, slots=True)
class ScannerPolicy:
    """The scanner's part of the compliance policy: immutable, versioned, JSON-serialisable."""

    version: int
    categories: tuple[CategoryRule, ...]
    official_numbers: tuple[str, ...] = ()  # the shop's hotlines: 400-820-8820, 95xxx …
    allowed_phrases: tuple[str, ...] = ()  # 微信支付, 店铺红包, 对公转账 …: never a hit
    block_message: str = "请通过官方渠道联系"

    def rule(self, category: str) -> CategoryRule | None:
        for rule in self.categories:
            if rule.name == category:
                return rule
        return None

    def action_for(self, category: str) -> Action:
        rule = self.rule(category)
        return rule.action if rule else Action.LOG

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "categories": {rule.name: rule.to_dict() for rule in self.categories},
            "official_numbers": list(self.official_numbers),
            "allowed_phrases": list(self.allowed_phrases),
            "block_message": self.block_message,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScannerPolicy:
        """Inverse of `to_dict`; raises ValueError naming the field that is wrong."""
        try:
            version = int(data["version"])
            raw_categories = data["categories"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"policy needs an integer 'version' and 'categories': {exc}") from exc
        if not isinstance(raw_categories, Mapping):
            raise ValueError("policy 'categories' must map a category name to its rule")
        rules = []
        for name, raw in raw_categories.items():
            if not isinstance(raw, Mapping):
                raise ValueError(f"category {name!r}: rule must be an object")
            try:
                action = Action(raw.get("action", Action.LOG))
            except ValueError as exc:
                raise ValueError(f"category {name!r}: action must be block, warn or log") from exc
            rules.append(
                CategoryRule(
                    name=str(name),
                    action=action,
                    terms=_strings(raw.get("terms", ()), f"category {name!r} terms"),
                    aliases=_strings(raw.get("aliases", ()), f"category {name!r} aliases"),
                )
            )
        return cls(
            version=version,
            categories=tuple(rules),
            official_numbers=_strings(data.get("official_numbers", ()), "official_numbers"),
            allowed_phrases=_strings(data.get("allowed_phrases", ()), "allowed_phrases"),
            block_message=str(data.get("block_message", "请通过官方渠道联系")),
        )

    def fingerprint(self) -> str:
        encoded = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]

    def with_branch_additions(self, branch: ScannerPolicy) -> ScannerPolicy:
        """HQ's policy plus a branch's stricter additions: more terms, a harsher action; never fewer.

        Official numbers and allowed phrases loosen the scanner, so only HQ's count.
        """
        merged: dict[str, CategoryRule] = {rule.name: rule for rule in self.categories}
        for extra in branch.categories:
            base = merged.get(extra.name)
            if base is None:
                merged[extra.name] = extra
                continue
            stricter = extra.action if _SEVERITY[extra.action] > _SEVERITY[base.action] else base.action
            merged[extra.name] = replace(
                base,
                action=stricter,
                terms=_union(base.terms, extra.terms),
                aliases=_union(base.aliases, extra.aliases),
            )
        return replace(self, version=max(self.version, branch.version), categories=tuple(merged.values()))


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{what} must be a list of strings")
    items = tuple(value)
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{what} must be a list of strings")
    return items


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))


# ---------------------------------------------------------------------------------------------
# The built-in lexicon (HQ's starting point; the policy app stores and versions it).

_WECHAT_ALIASES = (
    "微信", "薇信", "威信", "徽信", "维信", "唯信", "围信", "微芯", "薇芯", "威芯", "微新", "嶶信", "卫星",
    "v信", "vx", "wx", "v号", "vchat", "weixin", "weix", "wechat", "wei信", "微xin", "微x", "w信", "威x",
    "薇x", "绿泡泡", "绿色泡泡", "小绿", "绿软件", "微号", "vx号", "wx号", "微信号", "微訊", "v", "威号",
    "薇号", "徽号", "维号", "唯号", "微性", "威性", "薇性", "薇心", "威心", "微亻言", "威亻言", "薇亻言", "wei",
    "wei信", "weixing", "vx号码", "绿色软件", "绿色那个软件", "绿色的软件", "绿色app", "卫星号", "绿色聊天软件",
    "徽亻言", "维亻言", "溦信", "溦号",
    # one character or a bare verb: only right before an account (薇：mumu_1314, 加我 nini_9999)
    "薇", "威", "微", "绿", "加我", "加一下",
)  # fmt: skip
_WECHAT_TERMS = (
    "加我微信", "加个微信", "加下微信", "加微信聊", "私人微信", "个人微信", "私人vx", "私人wx", "私微",
    "加v", "加个v", "加我v", "v我", "vx我", "wx我", "私v", "微信同号", "v信同号", "绿泡泡联系", "加绿泡泡",
    "微信私聊", "微信详聊", "微信上聊", "微信联系我", "微信名片", "推个微信", "搜我微信", "微信转我",
    "转我微信", "微信转你", "转你微信", "加个好友", "加下好友", "加你好友", "加我好友", "互加好友",
    "私下加好友", "加好友聊", "整个微信", "整个v", "jiawoweixin", "jiaweixin", "加入微信群", "进微信群",
    "加微信群", "拉你进群", "拉你进微信群", "家长微信群", "业主微信群", "拉你进", "拉我进", "拉我一个",
)  # fmt: skip
_QQ_ALIASES = (
    "qq", "扣扣", "抠抠", "叩叩", "口口", "球球", "企鹅", "企鹅号", "q号", "qq号", "q群", "qq群", "扣q",
    "秋秋", "q", "koukou", "qiehao", "企鹅号码", "扣扣号码", "扣扣群", "q号码", "寇寇", "蔻蔻",
    # one character or a bare word: only right before a number (扣 2650418, 鹅号 3092847561, 群号 571926384)
    "扣", "鹅", "鹅号", "群号",
)  # fmt: skip
_QQ_TERMS = (
    "加q", "q我", "加个q", "加我q", "私q", "加扣扣", "扣扣联系", "企鹅联系", "qq联系", "qq私聊"
)  # fmt: skip
_PHONE_ALIASES = (
    "电话", "手机", "手机号", "手机号码", "电话号码", "号码", "座机", "固话", "联系方式", "tel", "dianhua",
    "shouji", "shoujihao", "haoma", "私人号", "私号", "手ji", "联系电话",
)  # fmt: skip
_PHONE_TERMS = (
    "私人电话", "私人手机", "私人号码", "个人电话", "个人手机号", "打我电话", "打我手机", "打我私人",
    "给我打电话", "call我", "加我手机", "手机同号", "电话同号", "私下打电话", "私下电话", "短信联系我",
    "打我这个号", "存一下我的号", "记一下我的号", "留个电话", "留个手机号", "电话打给我", "打电话给我",
)  # fmt: skip
_ALIPAY_ALIASES = (
    "支付宝", "zfb", "支护宝", "吱付宝", "支fu宝", "支付bao", "zhifubao", "alipay", "阿里支付", "之付宝",
    "支附宝", "支負宝", "支付寳", "支付宝账号", "支付宝帐号", "阿里pay",
    "芝付宝", "支富宝", "吱吱宝", "zhi付宝",
)  # fmt: skip
_ALIPAY_TERMS = (
    "支付宝转我", "转我支付宝", "加我支付宝", "支付宝好友", "支付宝加我", "打到我支付宝", "付到我支付宝",
    "转到我支付宝", "我的支付宝账号", "我支付宝账号", "支付宝账号是", "zfb转我", "转我zfb",
)  # fmt: skip
_QR_ALIASES = (
    "二维码", "二维吗", "二微码", "二v码", "qr码", "名片", "个人码", "微信码", "群二维码", "扫码", "扫一扫",
    "识别", "二唯码", "二为码", "erweima", "qrcode", "收款码", "收款二维码", "qr", "收钱码", "付款二维码",
    "扫一下", "扫了", "扫下", "扫图", "扫上面的", "扫下面的", "扫这个", "扫那个",
)  # fmt: skip
_QR_TERMS = (
    "扫码加我", "扫我二维码", "扫我的二维码", "扫我的码", "我的二维码", "个人二维码", "私人二维码",
    "发你二维码", "给你二维码", "二维码加我", "扫码加好友", "扫一扫加我", "扫码进群", "二维码发你",
    "推个名片", "推名片", "发个名片", "我的名片", "推你名片", "识别二维码加", "扫这个码加", "扫码私聊",
    "扫码联系", "扫码加微信", "扫码加v", "扫下我的码", "扫一下我的码", "扫我码", "长按识别", "我的码你扫",
    "扫码进我", "扫我发的图", "扫我发的码", "扫我发你的", "扫图片里的码", "个人收款码", "你的收款码",
    "我的收款码", "私人收款码", "你的付款码", "个人付款码", "个人的付款码", "扫码转我", "扫码付我", "扫码转给我",
    "码发你了", "付款码截图", "截个付款码", "个人的码", "扫我发的那个", "我发的那个码",
)  # fmt: skip
_BANK_ALIASES = (
    "银行卡", "卡号", "银行卡号", "储蓄卡", "借记卡", "银行账号", "银行账户", "工行卡", "建行卡", "农行卡",
    "yhk", "yhk号", "yin行卡", "yin行卡号",
    "招行卡", "中行卡", "邮政卡", "交行卡", "卡上", "卡里",
)  # fmt: skip
_BANK_TERMS = (
    "我的卡号", "我的银行卡号", "发你卡号", "卡号发你", "银行卡号发你"
)  # fmt: skip
_RED_PACKET_ALIASES = (
    "红包", "hb", "红bao", "hong包", "hongbao", "红苞", "红胞", "洪包", "宏包", "鸿包", "哄包", "轰包",
    "虹包", "🧧", "利是", "利市", "拼手气红包", "口令红包", "辛苦费", "茶水费", "好处费", "感谢费", "跑腿费",
    "红包钱", "口令hb", "redpacket",
)  # fmt: skip
_RED_PACKET_TERMS = (
    "发红包给你", "给你发红包", "给你个红包", "包个红包", "塞个红包", "私发红包", "私下发红包", "发个红包",
    "收红包", "红包感谢", "发个小红包", "红包答谢", "私下打赏", "封个利是", "包个利是",
    "给你包个", "发hb", "意思一下", "表示一下心意", "红包给你", "红包私聊",
)  # fmt: skip
_TRANSFER_ALIASES = (
    "转账", "转帐", "转钱", "打款", "汇款", "打钱", "收款码", "私账", "卡号", "这张卡", "卡上", "卡里",
    "银行卡",
)  # fmt: skip
_TRANSFER_TERMS = (
    "私下转账", "私下转帐", "私下付款", "私下交易", "私下支付", "私下给钱", "私下收款", "线下交易",
    "线下付款", "线下转账", "线下支付", "不走平台", "绕过平台", "绕开平台", "避开平台", "跳过平台",
    "打到我卡上", "打我卡上", "转到我卡上", "转我卡上", "打到我卡里", "转我卡里", "直接转给我", "直接打给我",
    "转给我", "转我微信", "微信转我", "转我支付宝", "支付宝转我", "收款码", "扫我收款码", "我的收款码",
    "付给我个人", "私人账户", "私账", "转账给我", "给我转账", "转你微信", "微信转你", "直接转你",
    "转你支付宝", "直接付给我", "付给我", "v我50", "走私账", "转我私人", "私人收款", "我转你", "转你吧",
    "转你了", "转我吧", "别走平台", "直接转我", "钱转我", "款转我", "尾款转我", "差价转你", "私下转你",
    "私下转我", "私下转给你", "转我个人", "直接打我", "钱打给我", "直接付我", "转这个卡号", "私下打款",
    "私下汇款", "私下结", "私下结算", "线下结", "现金结", "私下付", "钱私下", "款私下", "定金私下",
    "尾款私下", "差价私下", "私下打给我", "走线下", "走个线下", "线下给", "线下交易", "不走淘宝", "不走天猫",
    "不走京东", "不走拼多多", "不走订单", "别走订单", "不走店铺", "私聊交易", "私下退", "私下返现", "私下返",
    "返现给您个人", "返现给你个人", "zz给我", "zz我", "zhuan账", "zhuanzhang", "转zhang", "别在网上拍", "不在网上拍",
    "不在平台拍", "别在平台拍", "私下交", "私下转给", "钱转你", "钱转给你", "另外转你", "转我订金", "转我定金",
    "定金给我", "订金给我", "私下走", "对私转账", "sx转账", "sx付款", "sx交易", "zz给你", "zz你", "私转给你",
    "私转", "不要走平台", "线下付", "汇给你", "直接汇", "sixiafukuan", "sixiazhuanzhang", "sixiajiaoyi", "转账可以吗",
    "转帐可以吗", "转账行吗", "转帐行吗", "转账行不行", "转账都行", "转账也行", "转帐也行", "转账都可以",
)  # fmt: skip

_ALLOWED_PHRASES = (
    # payment methods of the company and official channels
    "微信支付", "微信付款", "微信付", "微信扫码支付", "微信扫码付款", "用微信付", "微信小程序", "微信公众号",
    "公众号", "企业微信", "微信登录", "微信授权", "微信绑定", "微信通知", "微信提醒", "微信服务号",
    "微信客服", "官方微信", "wx支付", "vx支付", "微信零钱", "微信钱包", "微信红包封面", "支付宝付款",
    "支付宝支付", "支付宝扫码支付", "支付宝付", "用支付宝付", "支付宝官方", "支付宝客服", "支付宝退款",
    "支付宝账户余额", "支付宝花呗", "支付宝小程序", "支付宝红包", "qq音乐", "qq邮箱", "qq浏览器", "qq会员",
    "支持微信", "支持qq", "电话手表", "红包封面", "红包袋", "红包封", "利是封",
    "qq钱包", "qq飞车", "qq游戏", "qq空间",
    # official promotions called 红包
    "店铺红包", "平台红包", "官方红包", "红包抵扣", "红包券", "新人红包", "无门槛红包", "红包雨", "红包活动",
    "购物红包", "天猫红包", "淘宝红包", "京东红包", "满减红包", "店铺优惠", "红包已发放", "领取红包",
    "领红包", "抢红包", "现金红包活动", "红包使用", "红包过期", "红包可以", "签到红包", "返现红包",
    # official payments, refunds, transfers inside the company
    "对公转账", "公司账户", "对公账户", "官方账户", "转人工", "直接转人工", "转接", "直接转接", "转给我们",
    "转我们", "转给你们",
    "转你们", "转给我同事", "转给我的同事", "转我同事", "转给售后", "转给主管", "转给我主管", "转达", "转告",
    "转交", "转发", "转运", "转寄", "转弯", "转换", "转化", "转身", "转移", "转让", "转卖", "转单", "转码",
    "转好", "转正", "旋转", "转动", "转圈", "转头", "周转", "好转", "转机", "转变", "付款码", "付款方式",
    "付款成功", "付款页面", "确认付款", "付款时", "付款后", "货到付款", "分期付款", "支付方式", "支付成功",
    "支付页面", "支付失败", "支付宝付款码", "二维码支付", "二维码付款", "扫码支付", "扫码付款", "扫码下单",
    "扫码领券", "扫码关注", "扫码查看", "扫码验证", "防伪码", "商品二维码", "包装上的二维码",
    "说明书上的二维码", "官方二维码", "店铺二维码", "官方名片",
    # numbers and cards that are not contact details
    "会员卡号", "礼品卡号", "充值卡号", "购物卡号", "优惠券码", "会员卡", "礼品卡", "卡券", "储值卡",
    "微信二维码支付", "微信二维码付款", "sim卡", "内存卡", "卡顿", "卡住", "卡了", "卡扣", "卡槽", "卡通",
    "信用卡分期", "刷卡", "卡片", "手机壳", "手机膜", "手机支架", "手机型号", "手机端", "手机app",
    "手机淘宝", "手机号码格式", "电话客服", "客服电话", "官方电话", "客服热线", "服务热线", "售后电话",
    "小号码", "大小号", "号码牌",
)  # fmt: skip

DEFAULT_OFFICIAL_NUMBERS = (
    "400-820-8820", "400-888-6666", "95188", "95017", "10086"
)  # fmt: skip


def default_policy(*, version: int = 1) -> ScannerPolicy:
    """A realistic built-in policy: contact exchange and bank cards block, red packets and transfers warn."""
    rules = (
        CategoryRule(CONTACT_WECHAT, Action.BLOCK, _WECHAT_TERMS, _WECHAT_ALIASES),
        CategoryRule(CONTACT_QQ, Action.BLOCK, _QQ_TERMS, _QQ_ALIASES),
        CategoryRule(CONTACT_PHONE, Action.BLOCK, _PHONE_TERMS, _PHONE_ALIASES),
        CategoryRule(CONTACT_ALIPAY, Action.BLOCK, _ALIPAY_TERMS, _ALIPAY_ALIASES),
        CategoryRule(CONTACT_QR, Action.BLOCK, _QR_TERMS, _QR_ALIASES),
        CategoryRule(BANK_CARD, Action.BLOCK, _BANK_TERMS, _BANK_ALIASES),
        CategoryRule(RED_PACKET, Action.WARN, _RED_PACKET_TERMS, _RED_PACKET_ALIASES),
        CategoryRule(PRIVATE_TRANSFER, Action.WARN, _TRANSFER_TERMS, _TRANSFER_ALIASES),
    )
    return ScannerPolicy(
        version=version,
        categories=rules,
        official_numbers=DEFAULT_OFFICIAL_NUMBERS,
        allowed_phrases=_ALLOWED_PHRASES,
    )


# ---------------------------------------------------------------------------------------------
# Compilation

TERM = 0  # a hit on its own (unless refused)
ALIAS = 1  # a hit next to an account, a number or a contact verb
CONTEXT = 2  # an alias of a category whose hits come from numbers (phone, bank card): context only
ALLOWED = 3  # an allowed phrase: covers any hit inside it

# Phone numbers and bank cards are found by their digits; their aliases only give context.
NUMBER_CATEGORIES = frozenset({CONTACT_PHONE, BANK_CARD})
# Phone words that name products far more often than a number (手机壳, 手机膜): not worth waking the rules.
_PRODUCT_WORDS = frozenset({"手机"})

LexiconEntry = tuple[int, str]  # (TERM | ALIAS | CONTEXT | ALLOWED, category or "")
# The automaton's value per key: the folded key, its entries, whether any entry can make a hit, whether
# it is an allowed phrase, and whether it names a contact channel (context for numbers).
LexiconValue = tuple[str, tuple[LexiconEntry, ...], bool, bool, bool]

# The fast path keys each lexicon entry on its least common character (see frequency.py).
_RANK = {char: index for index, char in enumerate(dict.fromkeys(SHOP_CHAT + GENERAL))}
_LETTER_RANK = {char: index for index, char in enumerate("etaoinshrdlcumwfgypbvkjxqz")}


def _rarity(char: str) -> int:
    """Higher is rarer in shop chat; the fast path keys on each key's rarest character."""
    if char.isdigit():
        return -1  # digits are everywhere (prices, quantities)
    if char.isascii():
        # letters (sizes, models, tracking numbers) are common: ASCII keys are keyed on a letter pair
        return 1_000 + 300 + _LETTER_RANK.get(char.lower(), 0)
    return 1_000 + _RANK.get(char, 99_000)  # unlisted characters are the rarest


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """Everything the scanner needs for one policy version; never mutated after compilation."""

    policy: ScannerPolicy
    fingerprint: str
    automaton: Any  # ahocorasick.Automaton: folded key → LexiconValue
    trigger: re.Pattern[str]  # fast path: a message without a match cannot hit anything
    trigger_parts: tuple[re.Pattern[str], re.Pattern[str]]  # the trigger split: lexicon keys, digit runs
    # emoji beyond the BMP that stand for a key's word (🐧 → 企鹅): the trigger's third part
    trigger_symbols: tuple[str, ...]
    actions: Mapping[str, Action]
    official_digits: frozenset[str]
    term_count: int
    key_chars: frozenset[str]  # every character of every key that can hit (folded)
    # every character that is followed by another in some key that can hit (folded): a key can run from
    # one message into the next only if the first ends with one of these
    key_inner_chars: frozenset[str] = frozenset()
    # Verdicts of short texts already judged under this version (quick replies, greetings and canned
    # answers recur verbatim all day): text → ScanResult, bounded, emptied when full. Only cache state:
    # the compiled policy itself never changes.
    verdicts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def version(self) -> int:
        return self.policy.version


_ASTRAL = "\U00010000-\U0010ffff"
# Astral characters that fold to a letter, digit or Han character live in these ranges (other scripts'
# digits, math letters, enclosed letters, CJK extensions); emoji (U+1F300–1FAFF) are not among them.
_COARSE_ASTRAL = ((0x10000, 0x1F2FF), (0x1FB00, 0x1FBFF), (0x20000, 0x3FFFF))


def char_class(chars: Iterable[str], *, astral: str = "coarse") -> str:
    """A regex character class for `chars`.

    The regex engine tests the BMP part with a bitmap but astral ranges one by one, so the astral
    part is coarsened to at most a few ranges (a superset, which is all the fast path needs):
    "coarse" uses the fixed ranges above, "all" every astral character.
    """
    chars = set(chars)
    bmp = sorted(char for char in chars if ord(char) < 0x10000)
    astral_points = sorted(ord(char) for char in chars if ord(char) >= 0x10000)
    parts: list[str] = []
    index = 0
    while index < len(bmp):
        end = index
        while end + 1 < len(bmp) and ord(bmp[end + 1]) == ord(bmp[end]) + 1:
            end += 1
        parts.append(re.escape(bmp[index]) if end == index else f"{re.escape(bmp[index])}-{re.escape(bmp[end])}")
        index = end + 1
    if astral_points and astral == "all":
        parts.append(_ASTRAL)
    elif astral_points:
        ranges: set[tuple[int, int]] = set()
        for point in astral_points:
            coarse = next(((lo, hi) for lo, hi in _COARSE_ASTRAL if lo <= point <= hi), None)
            ranges.add(coarse or (point, point))
        parts.extend(f"{chr(lo)}-{chr(hi)}" for lo, hi in sorted(ranges))
    return "[" + "".join(parts) + "]"


_COMMON_RARITY = 1_000 + 600  # characters among the ~600 most common: key on a pair instead


def _trigger_pattern(keys: Iterable[str]) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A regex that matches every message that can hit (and few others), and the same split in two.

    Returns (combined, lexicon part, number part): a text matches `combined` at a position exactly
    when one of the two parts matches there.

    Per key: its rarest character in any form that folds to it; when even that is common (码, 加),
    its rarest adjacent pair with separators allowed in between (款…码). Plus digit runs long enough
    to be a phone or a card (10 digit-like characters, separators allowed).
    """
    tables = fold_tables()

    def forms(char: str) -> set[str]:
        # emoji that stand for a word (🐧, 📞) are found by `trigger_symbols` instead: a few astral
        # characters in these classes would slow the regex engine's test of every character
        return {char, *tables.preimages.get(char, ())} - _ASTRAL_SYMBOLS

    separators = char_class(tables.deleted, astral="all")
    single_chars: set[str] = set(tables.multi_digit)
    pairs: dict[str, set[str]] = {}  # first character → second characters
    for key in keys:
        rarest = max(key, key=_rarity)
        if _rarity(rarest) >= _COMMON_RARITY or len(key) == 1:
            single_chars |= forms(rarest)
            continue
        # each occurrence of a pair's first character costs a regex attempt: key on a rare first
        first, second = max(
            pairwise(key),
            key=lambda pair: (pair[0] + pair[1] not in COMMON_WORDS, _rarity(pair[0]), _rarity(pair[1])),
        )
        pairs.setdefault(first, set()).update(forms(second))
    # o and l count here too: 138o0886245 (fold reads them as digits only between digits)
    digits = set("0123456789olOLｏｌＯＬ") | tables.single_digit
    # Pairs share a few branches (any first of the branch, then any of its seconds): a superset of the
    # pairs, but a handful of tests per character instead of one per pair. Firsts with similar seconds
    # go together so few false pairs (付…账, 人…工) arise.
    buckets: list[tuple[set[str], set[str]]] = []
    for first, seconds in sorted(pairs.items(), key=lambda item: (-len(item[1]), item[0])):
        best = min(
            range(len(buckets)), key=lambda i: len(seconds - buckets[i][1]) * (len(buckets[i][0]) + 1), default=None
        )
        if best is None or (len(buckets) < _PAIR_BRANCHES and seconds - buckets[best][1]):
            buckets.append(({first}, set(seconds)))
        else:
            buckets[best][0].add(first)
            buckets[best][1].update(seconds)
    firsts = {form for first in pairs for form in forms(first)}
    branches = [f"(?<={char_class(single_chars)})"]
    for bucket_firsts, bucket_seconds in buckets:
        first_forms = {form for first in bucket_firsts for form in forms(first)}
        branches.append(f"(?<={char_class(first_forms)}){separators}*{char_class(bucket_seconds)}")
    # a phone (10+ digits after folding) may be spelled with separators and numerals in between
    digit_run = f"(?:{separators}*{char_class(digits)}){{9}}"
    # The pattern opens with one character class (the regex engine skips in C to the next character
    # that can start anything); lookbehinds then say which branch it is.
    starts = single_chars | digits | firsts
    combined = re.compile(f"{char_class(starts)}(?:{'|'.join([*branches, f'(?<={char_class(digits)}){digit_run}'])})")
    # The same in two parts for a whole batch: each candidate character then tries fewer branches.
    lexicon = re.compile(f"{char_class(single_chars | firsts)}(?:{'|'.join(branches)})")
    numbers = re.compile(f"{char_class(digits)}{digit_run}")
    return combined, lexicon, numbers


_PAIR_BRANCHES = 6
_ASTRAL_SYMBOLS = frozenset(symbol for symbol in SYMBOL_WORDS if ord(symbol) > 0xFFFF)


def compile_policy(policy: ScannerPolicy) -> CompiledPolicy:
    """Fold every term, alias and allowed phrase into one automaton (once per policy version)."""
    automaton = ahocorasick.Automaton()
    entries: dict[str, list[LexiconEntry]] = {}
    hit_keys: set[str] = set()
    term_count = 0

    def add(raw: str, entry: LexiconEntry) -> None:
        key = fold(raw)
        if not key:
            return
        bucket = entries.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
        if entry[0] in (TERM, ALIAS) or (entry[0] == CONTEXT and key not in _PRODUCT_WORDS):
            # a phone or card word also wakes the rules: a request for one (给个电话, 卡号发我), or a
            # number spelled in pieces (139 后面是 0264…)
            hit_keys.add(key)

    for rule in policy.categories:
        for term in rule.terms:
            add(term, (TERM, rule.name))
            term_count += 1
        for alias in rule.aliases:
            add(alias, (CONTEXT if rule.name in NUMBER_CATEGORIES else ALIAS, rule.name))
            term_count += 1
    for phrase in policy.allowed_phrases:
        add(phrase, (ALLOWED, ""))
    for key, bucket in entries.items():
        capable = any(kind in (TERM, ALIAS) for kind, _ in bucket)
        allowed = any(kind == ALLOWED for kind, _ in bucket)
        # names a channel to move the chat to (context that outweighs 订单号 before a number)
        contact = any(kind != ALLOWED and category in _CHANNELS for kind, category in bucket)
        automaton.add_word(key, (key, tuple(bucket), capable, allowed, contact))
    if entries:
        automaton.make_automaton()
    official = frozenset(
        digits for digits in ("".join(c for c in fold(n) if c.isdigit()) for n in policy.official_numbers) if digits
    )
    trigger, lexicon_trigger, number_trigger = _trigger_pattern(hit_keys)
    return CompiledPolicy(
        policy=policy,
        fingerprint=policy.fingerprint(),
        automaton=automaton,
        trigger=trigger,
        trigger_parts=(lexicon_trigger, number_trigger),
        trigger_symbols=tuple(
            symbol
            for symbol in sorted(_ASTRAL_SYMBOLS)
            if any(SYMBOL_WORDS[symbol] in key or key in SYMBOL_WORDS[symbol] for key in hit_keys)
        ),
        actions={rule.name: rule.action for rule in policy.categories},
        official_digits=official,
        term_count=term_count,
        key_chars=frozenset("".join(hit_keys)),
        key_inner_chars=frozenset("".join(key[:-1] for key in hit_keys)),
    )


_COMPILED: dict[str, CompiledPolicy] = {}  # by fingerprint: scanners of one process share a compilation
_COMPILED_LIMIT = 8
_COMPILE_LOCK = threading.Lock()


def _compile_cached(policy: ScannerPolicy) -> CompiledPolicy:
    fingerprint = policy.fingerprint()
    with _COMPILE_LOCK:
        compiled = _COMPILED.get(fingerprint)
        if compiled is None:
            compiled = compile_policy(policy)
            if len(_COMPILED) >= _COMPILED_LIMIT:
                _COMPILED.pop(next(iter(_COMPILED)))
            _COMPILED[fingerprint] = compiled
        return compiled


class PolicyHolder:
    """The compiled policy in force; `install` recompiles only for a new version and swaps atomically.

    Readers take `holder.current` once per message: a swap never changes a scan already running.
    """

    def __init__(self, policy: ScannerPolicy | None = None) -> None:
        self._lock = threading.Lock()
        self._compiled: CompiledPolicy | None = None
        if policy is not None:
            self.install(policy)

    @property
    def current(self) -> CompiledPolicy:
        compiled = self._compiled
        if compiled is None:
            compiled = self.install(default_policy())
        return compiled

    def install(self, policy: ScannerPolicy) -> CompiledPolicy:
        compiled = self._compiled
        if compiled is not None and compiled.version == policy.version and compiled.policy == policy:
            return compiled
        with self._lock:  # one compilation at a time; readers are never blocked
            compiled = self._compiled
            if compiled is not None and compiled.version == policy.version and compiled.policy == policy:
                return compiled
            fresh = _compile_cached(policy)
            self._compiled = fresh  # a single reference assignment: atomic for readers
            return fresh


ACTIVE = PolicyHolder()  # the process-wide policy; the policy app installs the group's effective one
