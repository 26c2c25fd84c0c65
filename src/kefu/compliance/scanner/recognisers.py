"""The rules that turn lexicon matches and digit runs into hits (run only for messages that hit something).

All rules work on the folded text (see normalise.py), so the word lists below are folded the same
way when compiled (一下 → 1下). Everything looks at a bounded window around a match, so a message of
any length is judged in linear time.

- Numbers: a mainland mobile (1[3-9] + 9 digits, optionally +86), a landline with area code, a bank
  card (16–19 digits passing Luhn) — unless the shop's own number, or an order / tracking number or a
  price by its context.
- Aliases (微信, vx, 扣扣, 支付宝, 二维码, 红包, 转账 …): a hit next to an account (wechat id, QQ number,
  phone, e-mail) or with a contact verb before (加我…, 给你发个…) or a contact word after (…联系, …私聊).
- Terms (私下转账, 扫码加我 …): a hit on their own.
- Refusals (我不加微信, 不能收红包, 请勿添加私人微信, 私下转账是不允许的) are not hits, but a negation
  only counts right before the verb or term, in the same clause, and not as a question (不加我微信吗),
  a condition (不加微信的话…) or an A-not-A question (能不能加微信).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from kefu.compliance.scanner.lexicon import (
    ALIAS,
    BANK_CARD,
    CONTACT_ALIPAY,
    CONTACT_PHONE,
    CONTACT_QQ,
    CONTACT_QR,
    CONTACT_WECHAT,
    CONTEXT,
    PRIVATE_TRANSFER,
    RED_PACKET,
    TERM,
    CompiledPolicy,
    LexiconValue,
)
from kefu.compliance.scanner.normalise import Normalised, fold


@dataclass(frozen=True, slots=True)
class Hit:
    """A category found at [start, end) of the folded text."""

    start: int
    end: int
    category: str


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of folded words, longest first so the longest word wins."""
    folded = {fold(word) for word in words}
    folded.discard("")
    return "(?:" + "|".join(re.escape(word) for word in sorted(folded, key=lambda w: (-len(w), w))) + ")"


# --- word lists (written naturally; folded when compiled) -----------------------------------------

ADD_VERBS = (
    "加", "添加", "添", "联系", "私聊", "私信", "留", "留下", "交换", "换", "互加", "报", "要个", "要一个",
    "要下", "求", "求个", "搜", "搜索", "私", "戳", "敲", "你有", "您有", "有没有", "用不用", "加上", "去",
    "来", "上", "是我", "是我的", "就是我", "这是我", "整个", "整一个", "jia", "jiawo", "jiage", "jiaxia",
    "给个", "给我个", "来个", "走", "提供", "提供一下", "告诉我", "告诉",
)  # fmt: skip
# Verbs that count only with a person in the phrase (发我微信, 给你微信) or in a question (有微信吗):
# 分享给微信好友 and 发到微信群 are ordinary.
WEAK_ADD_VERBS = (
    "给", "发", "发到", "拉", "进", "存", "记", "记下", "找", "有", "gei", "fa"
)  # fmt: skip
MONEY_VERBS = (
    "转到", "付到", "打到", "汇到", "存到", "转", "付", "打", "汇", "充到", "充", "钱打", "钱转", "钱付", "退",
    "退到", "返到",
)  # fmt: skip
MONEY_SUFFIXES = (
    "转我", "转给我", "转你", "转给你", "付我", "付给我", "打我", "打给我", "上转我", "转过来", "付款给我",
    "直接转", "就转", "转账", "直接打", "收款码", "私下转", "给你转", "给您转", "给我转", "转钱", "转款",
    "打钱", "付钱",
)  # fmt: skip
FILLER = (
    "我", "你", "您", "我的", "你的", "您的", "个", "一个", "下", "一下", "私人", "个人", "本人", "私", "小",
    "新", "的", "他", "她", "他的", "她的", "我们", "我们的", "咱", "咱们", "俺", "工作", "这个", "那个",
    "号", "客服", "老师", "姐", "哥", "到", "一", "你们", "你们的", "备用", "wo", "ni", "nin", "de", "ge",
    "wode", "nide", "师傅", "师傅的", "老师的", "老板的", "客服的", "医生的", "经理的", "销售的", "店主", "老板",
    "店长",
)  # fmt: skip
CONTACT_SUFFIXES = (
    "联系", "聊", "私聊", "聊天", "沟通", "找我", "加我", "加一下", "加好友", "私信", "发我", "发给我",
    "给我", "多少", "是多少", "号多少", "号是多少", "号码多少", "上说", "上聊", "上联系", "详聊", "细聊",
    "里聊", "上找我", "搜我", "号发我", "号给我", "号发你", "号给你", "发你", "联系我", "同号", "私下聊",
    "沟通吧", "上面聊", "上细说", "说吧", "交流", "上交流", "号私聊", "二维码", "码", "名片", "同手机号",
    "同手机", "同电话", "就是手机号", "是手机号", "就是电话", "给一个", "给个", "来一个", "发一个", "留一个",
    "duoshao", "lianxi", "liaoliao", "那种", "那个", "拉我", "发给你", "能加", "能加一下", "可以加",
    "能不能加", "账号发我", "账号给我", "账号发一下", "账号告诉我", "账号多少", "帐号发我", "帐号给我",
    "就是我手机号", "就是我的手机号", "是我手机号", "同我手机号", "给一下", "发一下", "留一下", "在我头像",
    "在头像", "在我签名", "在签名", "写在签名", "在我主页", "账号在我", "号在我", "扣一下我", "扣我", "戳我",
    "敲我", "私我", "推给我", "推我", "推一下", "有没有", "有吗", "报一下", "报下", "是哪个号", "哪个号",
    "写在备注", "发下", "名字叫", "昵称叫", "名字是", "昵称是", "直接搜",
    "通过一下", "通过", "同意一下", "收款码", "上聊吧", "里说", "扫我",
)  # fmt: skip
ID_MARKS = (
    "号码", "号", "账号", "账户", "id", "名字", "名", "是", "为", "就是", "叫", "同号", "也是", "加", "搜",
    "手机号", "手机号码", "手机", "电话", "电话号码", "搜一下", "搜下", "搜索", "吗", "呢", "我", "加我", "好友",
    "群", "群号", "号是", "码", "小号", "大号", "新号", "帐号", "帐户", "吧", "呀", "哈", "啊", "找我", "no",
)  # fmt: skip
ID_ANNOUNCE = ("号是", "号码是", "账号是", "帐号是", "id是", "号为", "微信号是", "v号是")  # fmt: skip
NEGATORS = (
    "不", "别", "勿", "莫", "禁止", "严禁", "拒绝", "谢绝", "杜绝", "无法", "没法", "没办法", "没有", "未",
    "从未", "绝不", "切勿", "请勿", "不得", "不准", "不许", "免", "不能", "不可以", "不可", "不要", "不会",
    "不允许", "不用", "不必", "不需要", "无需", "不方便", "不便", "不支持", "不接受", "不让", "不收", "不加",
    "不想", "不打",
)  # fmt: skip
# What may stand between a negation and the verb it negates: 不能「私下」加, 禁止「客服与顾客」私下交易.
NEGATION_GAP = (
    "私下", "随便", "随意", "能", "可以", "会", "要", "再", "去", "主动", "私自", "跟", "和", "与", "同",
    "给", "帮", "让", "被", "客户", "顾客", "客人", "客服", "您", "你", "我", "的", "们", "其他", "别人",
    "任何", "陌生人", "直接", "轻易", "把", "人", "员工", "工作人员", "买家", "卖家", "私人", "个人", "在",
    "通过", "互相", "相互", "额外", "再去", "相信", "听信", "轻信", "理会", "答应", "同意", "加", "添加",
    "添", "留", "发", "收", "给", "转", "进行", "做", "搞", "接受", "使用", "用", "索要", "要", "提供",
    "透露", "泄露", "交换", "索取", "私加", "私收", "收取", "任何", "要求", "以", "理由", "什么", "啥", "打",
    "登记", "记录", "保存", "另外", "单独", "向", "或", "或者", "及", "以及", "微信", "qq", "支付宝",
)  # fmt: skip
POST_NEGATORS = (
    "不能", "不可以", "不允许", "不行", "不收", "不加", "不要", "不用", "不必", "不方便", "不支持", "不接受",
    "不可", "禁止", "严禁", "违规", "心领", "免了", "算了", "谢绝", "拒收", "不被允许", "不合规", "是不行",
)  # fmt: skip
POST_NEGATION_GAP = (
    "我们", "我", "是", "就", "也", "都", "还是", "这边", "公司", "真的", "实在", "的"
)  # fmt: skip
# After a post-negation only particles or the negated verb may follow (私下转账是不允许的, 红包不能收哦);
# 加我微信不要告诉别人 goes on and is no refusal.
POST_NEGATION_TAIL = (
    "的", "哦", "呢", "啊", "了", "哈", "滴", "喔", "啦", "呀", "吧", "加", "收", "发", "转", "给", "用",
    "做", "私下", "添加", "接受", "噢", "亲", "哟", "这样做", "这么做", "谢谢", "谢谢您", "谢谢你", "提供",
    "透露", "告知", "给您", "给你",
)  # fmt: skip
OFF_CHANNEL = (
    "换个地方聊", "换个地方说", "这里不方便", "这边不方便", "说话不方便", "平台不方便", "这里有记录",
    "平台有记录", "这里说不方便", "私下聊", "私下说", "私下联系", "单独聊", "换个平台", "不在这里说",
    "别在这说", "这里被监控", "聊不方便", "说不方便", "不方便说", "不方便聊", "说话不便",
)  # fmt: skip
CONDITIONAL_AFTER = (
    "的话", "就", "才", "否则", "不然"
)  # fmt: skip
QUESTION_ENDINGS = (
    "吗", "么", "嘛", "不", "没", "没有", "呢",
)  # fmt: skip
OFFICIAL_CONTEXT = (
    "店铺", "平台", "官方", "系统", "商家", "本店", "活动", "公司", "天猫", "淘宝", "京东", "拼多多", "退款",
    "原路", "对公", "商城", "旗舰店", "会员", "积分", "下单", "首单", "新人", "消费", "购物满", "满额",
    "理赔", "赔付", "赔偿", "运费险", "保险", "售后", "退回", "充值", "话费", "卡券", "app",
)  # fmt: skip

RED_PACKET_VERBS = (
    "发", "给", "收", "包", "塞", "私发", "送", "转", "拿", "发个", "给个", "补", "补个", "私下发", "封", "加",
    "加个", "返", "返您", "返你", "找我领", "意思", "意思个", "少不了你的", "给销售", "给师傅",
)  # fmt: skip
RED_PACKET_FILLER = (
    "我", "你", "您", "个", "一个", "小", "大", "点", "些", "了", "的", "块", "元", "一点", "几个", "你个",
    "您个", "你们", "给你", "给您", "一", "两个", "俩", "大大的", "辛苦", "到", "您的", "你的", "钱", "块钱",
)  # fmt: skip
RED_PACKET_SUFFIXES = (
    "给你", "给您", "给我", "感谢", "答谢", "谢谢", "意思", "作为感谢", "表示感谢", "私发", "我发你", "发你",
    "发给你", "私聊", "我私下", "私下", "表示", "孝敬", "好处", "我私发", "转给你", "发过去", "转过去",
    "少不了你", "收下", "一定要收", "请收下", "准备好了", "给你安排", "安排上", "已经准备好", "已经发了",
    "务必收下", "您一定收下", "你一定收下", "一定收下", "请您务必收下", "发你了", "fani", "已发", "fale",
    "返给你", "返你", "返给您", "补给你", "补给您", "不成敬意", "收一下", "晚点发你", "塞在", "塞给",
    "yijingfale",
)  # fmt: skip
RED_PACKET_SUFFIX_GAP = (
    "已经", "已", "先", "都", "就", "我", "我已经", "刚", "马上", "直接", "一个",
)  # fmt: skip
TRANSFER_PREFIXES = (
    "给我", "给你", "向我", "直接", "私下", "单独", "线下", "私人", "私自", "给您", "跟我", "和我", "打到",
    "转到", "打", "转", "汇到", "存到", "付到", "打进", "转进",
)  # fmt: skip
TRANSFER_FILLER = (
    "我", "我的", "这张", "这个", "这", "个人", "私人", "你", "你的", "1张", "1个", "个人账户", "账户",
    "私人账户", "卡上", "的卡", "个人的", "私人的",
)  # fmt: skip
TRANSFER_SUFFIXES = (
    "给我", "到我", "给你", "到你", "我", "你", "给您", "到您", "过来", "私下"
)  # fmt: skip
QR_VERBS = (
    "扫", "发", "给", "推", "分享", "加", "识别", "长按", "存", "保存", "截图", "有", "印着", "印了", "贴着", "放了"
)  # fmt: skip
QR_FILLER = (
    "一下", "下", "个", "我", "你", "您", "的", "我的", "你的", "这个", "一个", "给你", "给您", "给我",
    "1张", "张", "这张", "一张",
)  # fmt: skip
QR_SUFFIXES = (
    "加我", "加好友", "联系", "进群", "私聊", "发你", "发给你", "给你", "加v", "加微信", "加qq", "联系我",
    "找我", "加一下", "私下", "发我", "给我", "截图发你", "发你了", "进我", "进我的", "推给你", "推你",
    "发给你了", "推给你了", "1下加我", "下加我", "加我吧", "加入", "截图发过来", "截图发我", "发过来", "付给我",
    "直接付给我", "转给我", "fani", "geini", "发你了", "再发", "发下", "发一下", "重新发", "进售后群", "入群",
    "推我", "发一张", "发张",
)  # fmt: skip
QR_ADD = (
    "加我", "加好友", "添加好友", "加上", "找我", "联系我", "加v", "加微信", "加qq", "添加", "转我", "进群", "入群",
    "售后群",
)  # fmt: skip
EXEMPT_BEFORE_NUMBER = (
    "订单", "单号", "订单号", "编号", "快递", "运单", "物流", "工单", "退货单", "发票", "批次", "型号",
    "条码", "序列号", "sn", "imei", "会员号", "会员卡", "交易号", "流水号", "商品id", "商品编码",
    "货号", "券码", "兑换码", "取件码", "验证码", "合同号", "保单号", "退款单", "售后单", "服务单",
    "订单编号", "单", "包裹", "追踪号", "跟踪号", "查询号", "礼品卡", "充值卡", "卡密", "激活码", "串号",
    "批号", "编码", "保修卡", "保修", "质保卡", "质保", "保卡", "防伪码", "防伪", "表号", "户号", "缴费号",
    "学号", "准考证号", "身份证", "车架号", "发动机号", "设备号", "水表", "电表", "燃气表", "卡号后",
)  # fmt: skip
COURIER_PREFIXES = (
    "sf", "yt", "yto", "jd", "jdv", "jdx", "jt", "zto", "sto", "yd", "ems", "db", "dpk", "ane", "htky",
    "best", "kye", "zjs", "ttkd", "yz", "ky", "ht", "zt", "st", "jtsd", "yunda", "ee", "ec", "lp", "cn",
    "ups", "dhl", "fedex", "tnt", "sfc", "cne", "yf", "uc", "se",
)  # fmt: skip
PRICE_AFTER = (
    "元", "块", "rmb", "万", "角", "毛"
)  # fmt: skip
PHONE_CONTEXT = (
    "电话", "手机", "号码", "座机", "固话", "热线", "tel", "call", "打", "联系", "拨", "短信", "致电",
    "来电",
)  # fmt: skip
BANK_CONTEXT = (
    "卡号", "银行卡", "银行", "储蓄卡", "借记卡", "卡上", "卡里", "工行", "建行", "农行", "招行", "中行",
    "交行", "邮政", "户名", "开户", "这张卡", "收款人", "卡", "信用卡", "全号",
)  # fmt: skip

# Clause boundaries in the original text (an evader's commas only narrow a negation, never widen it).
CLAUSE_BREAK = re.compile(
    r"[，。！？；!?;\n\r…]|,(?=\D)|\.(?=\D)"
    # a space before a word of two or more characters (不用加QQ了 就在平台上聊吧), not the spaces an
    # evader puts between single characters (加 我 微 信)
    r"|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff]{2})"
)
MOBILE = r"(?:86)?1[3-9][0-9]{9}(?![0-9])"
EMAIL = r"[a-z0-9]{2,40}@[a-z0-9]{2,40}"
ALIAS_IDS: dict[str, str] = {
    # letter first (WeChat's rule), or letters and digits mixed as an evader spells it (123abc456)
    CONTACT_WECHAT: rf"(?:{MOBILE}|[a-z][a-z0-9]{{5,39}}|[0-9]{{1,20}}[a-z][a-z0-9]{{4,38}})",
    CONTACT_QQ: r"(?:[1-9][0-9]{4,11}(?![0-9])|[a-z0-9]{2,40}@qq)",
    # an Alipay account is a phone or an e-mail, or a login name such as xiaopang_9981
    CONTACT_ALIPAY: rf"(?:{MOBILE}|{EMAIL}|[a-z][a-z0-9]{{3,30}}[0-9]{{2,}})",
}


@dataclass(frozen=True, slots=True)
class _Grammar:
    """The per-category rules, compiled once per process."""

    verb_before: re.Pattern[str] | None  # 加我… : a hit on its own
    weak_before: re.Pattern[str] | None  # 发我… : a hit with a person in it or as a question
    suffix_after: re.Pattern[str] | None  # …联系
    id_after: re.Pattern[str] | None  # …号是 abc123
    id_before: re.Pattern[str] | None  # abc123 是我…
    official_exempt: bool  # official promotions and refunds (店铺红包, 退款原路转账) are not hits
    money: bool  # money into this channel (转我支付宝, 微信转我) is also a private transfer


@dataclass(frozen=True, slots=True)
class _Rules:
    grammars: dict[str, _Grammar]
    default: _Grammar
    negation_before: re.Pattern[str]
    negation_after: re.Pattern[str]
    conditional: re.Pattern[str]
    official: re.Pattern[str]
    exempt_before_number: re.Pattern[str]
    courier_before: re.Pattern[str]
    price_after: re.Pattern[str]
    phone_context: re.Pattern[str]
    bank_context: re.Pattern[str]
    digit_runs: re.Pattern[str]
    question_end: re.Pattern[str]
    money_before: re.Pattern[str]
    money_after: re.Pattern[str]
    announce_end: re.Pattern[str]
    off_channel: re.Pattern[str]
    third_party: re.Pattern[str]
    not_a_request_after: re.Pattern[str]
    phone_request_before: re.Pattern[str]
    callers: re.Pattern[str]
    phone_request_after: re.Pattern[str]


def _contact_grammar(category: str) -> _Grammar:
    id_pattern = ALIAS_IDS.get(category)
    marks = _alt(ID_MARKS)
    filler = _alt(FILLER)
    return _Grammar(
        verb_before=re.compile(f"{_alt(ADD_VERBS)}{filler}{{0,3}}$"),
        weak_before=re.compile(f"{_alt(WEAK_ADD_VERBS)}{filler}{{0,3}}$"),
        suffix_after=re.compile(_alt(CONTACT_SUFFIXES)),
        id_after=(
            # a QQ number may follow a few words later if announced (企鹅方便点，号码是 1029384756)
            re.compile(f"(?:[^0-9]{{0,6}}?{marks})?{marks}{{0,3}}(?P<id>{id_pattern})")
            if category == CONTACT_QQ
            # or an ID a few words after the alias if announced (加我 vx 约一下，号是 hz_lin0517)
            else re.compile(f"(?:[^a-z]{{0,10}}?{_alt(ID_ANNOUNCE)})?{marks}{{0,3}}(?P<id>{id_pattern})")
            if id_pattern
            else None
        ),
        id_before=(
            re.compile(f"(?<![a-z0-9])(?P<id>{id_pattern})(?:就是|也是|是)(?:我的?|本人的?)?的?$")
            if category in (CONTACT_WECHAT, CONTACT_QQ) and id_pattern
            else None
        ),
        official_exempt=False,
        money=category in (CONTACT_WECHAT, CONTACT_ALIPAY),
    )


@cache
def rules() -> _Rules:
    grammars = {
        CONTACT_WECHAT: _contact_grammar(CONTACT_WECHAT),
        CONTACT_QQ: _contact_grammar(CONTACT_QQ),
        CONTACT_ALIPAY: _contact_grammar(CONTACT_ALIPAY),
        CONTACT_QR: _Grammar(
            verb_before=re.compile(f"(?:你有|您有|有没有|给个|发个|来个|给我个|发我个){_alt(QR_FILLER)}{{0,3}}$"),
            weak_before=re.compile(f"{_alt(QR_VERBS)}{_alt(QR_FILLER)}{{1,3}}$"),
            # 扫一下就加上了, 扫图中的码即可添加: a few words may come between the scan and the add
            suffix_after=re.compile(f"{_alt(QR_SUFFIXES)}|[^0-9]{{0,6}}?{_alt(QR_ADD)}"),
            id_after=None,
            id_before=None,
            official_exempt=True,
            money=False,
        ),
        RED_PACKET: _Grammar(
            verb_before=re.compile(
                f"{_alt(RED_PACKET_VERBS)}(?:{_alt(RED_PACKET_FILLER)}|[0-9两十百千万]{{1,6}}){{0,6}}$"
            ),
            weak_before=None,
            suffix_after=re.compile(
                f"(?:{_alt(RED_PACKET_SUFFIX_GAP)}|[0-9]{{1,5}}(?:块|元)?){{0,2}}{_alt(RED_PACKET_SUFFIXES)}"
            ),
            id_after=None,
            id_before=None,
            official_exempt=True,
            money=False,
        ),
        PRIVATE_TRANSFER: _Grammar(
            verb_before=re.compile(f"{_alt(TRANSFER_PREFIXES)}{_alt(TRANSFER_FILLER)}{{0,2}}$"),
            weak_before=None,
            suffix_after=re.compile(f"{_alt(TRANSFER_SUFFIXES)}(?!们)"),
            id_after=None,
            id_before=None,
            official_exempt=True,
            money=False,
        ),
    }
    negation_gap = _alt(NEGATION_GAP)
    return _Rules(
        grammars=grammars,
        default=_contact_grammar(""),
        negation_before=re.compile(f"(?P<neg>{_alt(NEGATORS)})(?:{negation_gap}){{0,4}}$"),
        negation_after=re.compile(
            f"(?:{_alt(POST_NEGATION_GAP)}){{0,3}}{_alt(POST_NEGATORS)}(?:{_alt(POST_NEGATION_TAIL)})*$"
        ),
        off_channel=re.compile(_alt(OFF_CHANNEL)),
        conditional=re.compile(_alt(CONDITIONAL_AFTER)),
        official=re.compile(_alt(OFFICIAL_CONTEXT)),
        exempt_before_number=re.compile(_alt(EXEMPT_BEFORE_NUMBER)),
        courier_before=re.compile(f"(?<![a-z]){_alt(COURIER_PREFIXES)}$"),
        price_after=re.compile(_alt(PRICE_AFTER)),
        phone_context=re.compile(_alt(PHONE_CONTEXT)),
        bank_context=re.compile(_alt(BANK_CONTEXT)),
        digit_runs=re.compile(r"[0-9]+"),
        question_end=re.compile(f"{_alt(QUESTION_ENDINGS)}$"),
        # 转我支付宝 (to me) and 打你支付宝 (to you): either way the money leaves the company's account
        money_before=re.compile(f"{_alt(MONEY_VERBS)}(?:我的|我|到我的|到我|你的|你|您的|您|到你的|到你){{1,2}}$"),
        money_after=re.compile(f"{_alt(MONEY_SUFFIXES)}(?!们)"),
        announce_end=re.compile("(?:号码|账号|号|id)?(?:是|为|就是)?$"),
        third_party=re.compile(_alt(THIRD_PARTY)),
        not_a_request_after=re.compile(_alt(NOT_A_REQUEST_AFTER)),
        phone_request_before=re.compile(
            # 告诉我安装师傅的手机号: whose number may stand between the verb and the word
            f"(?:{_alt(PHONE_REQUEST_VERBS)}{_alt(('我', '下', '一下'))}?{_alt(('个', '一个'))}?"
            f"{_alt(('你的', '您的', '你', '您'))}?"
            "|(?:告诉我|给我|发我)[^0-9a-z]{1,4}的)$"
        ),
        phone_request_after=re.compile(f"(?:是)?{_alt(PHONE_REQUEST_AFTER)}"),
        callers=re.compile(_alt(CALLERS)),
    )


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


_BANK_PREFIX = re.compile(r"62|4|5[1-5]|60|9[45]|3[57]")
_DATE_TIME_UNITS = frozenset("年月日号点时分秒:：/")
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class _Message:
    """One message on the slow path: folded text, offsets, clauses and lexicon matches."""

    __slots__ = ("allowed", "breaks", "channels_at", "contact_ends", "lexicon", "normalised", "original", "text")

    def __init__(self, normalised: Normalised, lexicon: list[tuple[int, int, LexiconValue]]) -> None:
        self.normalised = normalised
        self.text = normalised.text
        self.original = normalised.original
        self.lexicon = lexicon
        self.allowed = sorted((start, end) for start, end, value in lexicon if value[3])
        self.breaks = [match.start() for match in CLAUSE_BREAK.finditer(self.original)]
        self.contact_ends = sorted(end for _, end, value in lexicon if value[4])
        # where each key that can hit starts, and the categories it names
        self.channels_at: dict[int, set[str]] = {}
        for start, _, value in lexicon:
            if value[2]:
                self.channels_at.setdefault(start, set()).update(category for _, category in value[1])

    def other_channel_at(self, position: int, category: str) -> bool:
        """Does a key naming some other channel start at folded `position` (加我|QQ 283…)?"""
        return bool(self.channels_at.get(position, set()) - {category})

    def clause(self, position: int) -> int:
        """Clause number of folded position (counted by breaks in the original before it)."""
        if position >= len(self.text):
            return bisect.bisect_right(self.breaks, len(self.original))
        return bisect.bisect_right(self.breaks, self.normalised.starts[position])

    def clause_start(self, position: int) -> int:
        """First folded position of the clause containing `position` (bounded search backwards)."""
        clause = self.clause(position)
        start = position
        floor = max(0, position - 24)
        while start > floor and self.clause(start - 1) == clause:
            start -= 1
        return start

    def clause_end(self, position: int) -> int:
        clause = self.clause(position)
        end = position
        ceiling = min(len(self.text), position + 24)
        while end < ceiling and self.clause(end) == clause:
            end += 1
        return end

    def covered_by_allowed(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.allowed, (start, len(self.text) + 1))
        # allowed phrases are short: only those starting shortly before can cover [start, end)
        for allowed_start, allowed_end in self.allowed[max(0, index - 8) : index]:
            if allowed_start <= start and end <= allowed_end:
                return True
        return False

    def ascii_boundary_ok(self, start: int, end: int) -> bool:
        """An ASCII alias such as vx or hb counts only as a word of its own, not inside 'vxworks'."""
        starts = self.normalised.starts
        first, last = starts[start], starts[end - 1]
        if self.text[start] in _ASCII_WORD_LOWER and first > 0 and self.original[first - 1] in _ASCII_WORD:
            return False
        if end - start == 1 and first > 0 and self.original[first - 1].isdigit():
            return False  # the Q of a model number (65Q10L) is no QQ
        after = last + 1
        if after < len(self.original) and self.original[last].isupper() and self.original[after].islower():
            return True  # 加WXhaowu_81: the case changes where the alias ends
        return not (
            self.text[end - 1] in _ASCII_WORD_LOWER
            and after < len(self.original)
            and self.original[after] in _ASCII_WORD
        )


_ASCII_WORD_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")


def _negated(message: _Message, start: int, end: int) -> bool:
    """Is the verb or term at [start, end) refused (我不加微信, 私下转账是不允许的)?"""
    text = message.text
    compiled = rules()
    clause_start = message.clause_start(start)
    clause_end = message.clause_end(max(start, end - 1))
    after = text[end:clause_end]
    if compiled.conditional.search(after) or _is_question(message, clause_end):
        return False  # 不加微信的话… / 你不加我微信吗 — pressure or invitation, not a refusal
    before = text[max(clause_start, start - 16) : start]
    found = compiled.negation_before.search(before)
    if found:
        neg_start = found.start("neg") + max(clause_start, start - 16)
        if not _not_really_negation(text, neg_start):
            return True
    return compiled.negation_after.match(after) is not None


def _not_really_negation(text: str, position: int) -> bool:
    """能不能 / 要不要 / 可不可以 (questions) and 要不… (a suggestion) are no refusals."""
    if text[position] != "不":
        return False
    previous = text[position - 1] if position > 0 else ""
    following = text[position + 1] if position + 1 < len(text) else ""
    return bool(previous) and (previous == following or previous in "要若")


def _is_question(message: _Message, clause_end: int) -> bool:
    """Does the clause ending at folded `clause_end` ask (…吗, …？)?"""
    text = message.text
    if clause_end == 0:
        return False
    starts = message.normalised.starts
    gap_start = starts[clause_end - 1] + 1
    gap_end = starts[clause_end] if clause_end < len(starts) else len(message.original)
    between = message.original[gap_start : min(gap_end, gap_start + 8)]
    if "?" in between or "？" in between:
        return True
    return rules().question_end.search(text, max(0, clause_end - 1), clause_end) is not None


def _official(message: _Message, start: int, end: int) -> bool:
    clause_start = message.clause_start(start)
    clause_end = message.clause_end(max(start, end - 1))
    return rules().official.search(message.text, clause_start, clause_end) is not None


# Aliases too short or too common to count with a verb or a contact word (微, 扣, 加我, 群号): they count
# only right before an account (薇：mumu_1314, 扣 2650418, 加我 nini_9999).
ID_ONLY_ALIASES = frozenset(
    fold(word) for word in ("薇", "威", "微", "绿", "加我", "加一下", "扣", "鹅", "鹅号", "群号")
)
# Whose number is asked for: a third party or the shop itself (快递员电话多少, 你们客服电话多少) is no
# private contact.
THIRD_PARTY = (
    "官方", "售后", "店铺", "店里", "门店", "快递", "快递员", "物流", "厂家", "商家", "总部", "公司",
    "热线", "投诉", "收货人", "收件人", "联系人", "订单", "单", "运单", "会员", "发票", "工单", "取件", "验证",
    "商店", "店家", "平台", "老家", "家里", "紧急", "派送员", "配送员", "骑手", "网点", "仓库",
)  # fmt: skip
PHONE_REQUEST_VERBS = (
    "提供", "提供一下", "存一下你", "存下你", "存你", "记一下你", "记下你", "记你",  # 记一下我电话 gives one's own
    "给", "留", "发", "报", "要", "告诉我", "告诉", "求", "借", "交换", "换", "把你的", "把你", "把您的", "把您",
    "gei", "liu",
)  # fmt: skip
PHONE_REQUEST_AFTER = (
    "多少", "发我", "发给我", "给我", "报一下", "留一下", "发一下", "给一个", "duoshao", "发过来", "私信我",
    "能给我", "能发我", "能留", "能给", "可以给我", "可以发我", "过来", "打在备注", "写在备注", "写备注",
    "私发给我", "私发我", "也发", "发下", "geiwo", "fawo",
)  # fmt: skip
# Who calls the customer on the shop's behalf: 师傅能不能提前打电话给我 asks for a call, not a number.
CALLERS = ("师傅", "快递员", "快递小哥", "司机", "骑手", "配送员", "派送员", "安装工", "小哥")  # fmt: skip
# …多少钱, 号码牌: the phone word was part of another word or a price question.
NOT_A_REQUEST_AFTER = (
    "钱", "元", "块", "寸", "位", "个", "g", "度", "毫安", "瓦", "牌", "格式", "段", "簿", "壳", "膜", "套", "线",
    "卡", "费", "套餐", "的手机", "密码", "后4位", "后几位", "尾号", "末4位", "验证码", "和密码", "和验证码",
    "或密码", "及密码",
)  # fmt: skip
# Someone else asked for it: a customer reporting a scam, an agent warning about one.
REPORTED = re.compile(
    "有人|骗子|陌生人|别人|任何(?:人|要求|理由|借口|形式|方式|情况)|冒充|自称|对方|他们让|他让|她让|说让|说加|说发"
    "|让我|叫我|凡是|朋友让|上写|写着|客服说|他说|她说|说.{0,4}?(?:要|让|叫)(?:我|您|你)"
)


def _third_party_request(message: _Message, start: int, end: int) -> bool:
    compiled = rules()
    text = message.text
    if text.endswith(("你们", "你们的"), max(0, start - 3), start):
        return True  # 你们电话多少: the shop's number (你们店老板电话 is the owner's)
    clause_start = message.clause_start(start)
    if compiled.third_party.search(text, max(clause_start, start - 6), start + 2):
        return True
    return compiled.not_a_request_after.match(text, end) is not None


def _reported(message: _Message, start: int) -> bool:
    return REPORTED.search(message.text, max(message.clause_start(start), start - 24), start) is not None


def _alias_hits(message: _Message, category: str, start: int, end: int) -> list[Hit]:
    """An alias counts next to an account, or with a contact verb or contact word."""
    compiled = rules()
    grammar = compiled.grammars.get(category, compiled.default)
    text = message.text
    hits: list[Hit] = []
    if text[start:end] in ID_ONLY_ALIASES:
        found = grammar.id_after.match(text, end, min(len(text), end + 48)) if grammar.id_after else None
        if (
            found
            and any(char.isdigit() for char in found.group("id"))
            # 加我QQ 2837461952: the account belongs to the channel named next, not to this alias
            and not message.other_channel_at(found.start("id"), category)
        ):
            hits.append(Hit(start, found.end(), category))
        return hits
    if grammar.money:
        # 转我支付宝 / 微信转我: the channel is named as where the money goes
        before = compiled.money_before.search(text, max(0, start - 8), start)
        after = compiled.money_after.match(text, end, min(len(text), end + 6))
        for found, span in (
            (before, (before.start() if before else 0, end)),
            (after, (start, after.end() if after else 0)),
        ):
            if found and _names_you(found.group()) and _official(message, span[0], span[1]):
                continue  # 退款会打到您支付宝: the shop pays the customer back
            if found and not _negated(message, span[0], span[1]):
                hits.append(Hit(span[0], span[1], category))
                hits.append(Hit(span[0], span[1], PRIVATE_TRANSFER))
    if grammar.id_after is not None:
        found = grammar.id_after.match(text, end, min(len(text), end + 48))
        if found:
            verb = grammar.verb_before.search(text, max(0, start - 14), start) if grammar.verb_before else None
            hits.append(Hit(verb.start() if verb else start, found.end(), category))
            return hits
    if grammar.id_before is not None:
        found = grammar.id_before.search(text, max(0, start - 48), start)
        if found:
            hits.append(Hit(found.start("id"), end, category))
            return hits
    if grammar.official_exempt and _official(message, start, end):
        return hits
    window_start = max(0, start - 14)
    verb = grammar.verb_before.search(text, window_start, start) if grammar.verb_before else None
    if verb is None and grammar.weak_before is not None:
        weak = grammar.weak_before.search(text, window_start, start)
        # 发我… / 给你… name a person; 有…吗 asks for the account; 分享给微信好友 does neither
        if weak and (
            (_is_question(message, message.clause_end(start)) or _QUESTION_RIGHT_AFTER.match(text, end) is not None)
            if weak.group().startswith("有")
            else _names_person(weak.group())
        ):
            verb = weak
    if verb and not _negated(message, verb.start(), end):
        hits.append(Hit(verb.start(), end, category))
        return hits
    if grammar.suffix_after is not None:
        suffix = grammar.suffix_after.match(text, end, min(len(text), end + 8))
        if suffix and not _negated(message, start, suffix.end()):
            hits.append(Hit(start, suffix.end(), category))
            return hits
    if category in (CONTACT_WECHAT, CONTACT_QQ, CONTACT_ALIPAY) and _bare_question(message, start, end):
        hits.append(Hit(start, end, category))  # vx? / 有QQ么 as the whole question
        return hits
    if category in (CONTACT_WECHAT, CONTACT_QQ, CONTACT_ALIPAY):
        # 我微信是 / 我的vx号： — the account follows in the next message
        colon = message.original.rstrip()[-1:] in "：:"
        if (
            len(text) - end <= 4
            and compiled.announce_end.fullmatch(text, end)
            and (colon or (end < len(text) and _names_person(text[max(0, start - 2) : start])))
        ):
            hits.append(Hit(start, len(text), category))
            return hits
        # 这里说话不方便，绿泡泡 — the alias next to a reason to leave the platform
        if compiled.off_channel.search(text, max(0, start - 20), min(len(text), end + 20)):
            hits.append(Hit(start, end, category))
    return hits


_QUESTION_RIGHT_AFTER = re.compile("(?:号|号码)?(?:吗|么|嘛)")  # 有微信吗 / 有QQ么, whatever follows


def _bare_question(message: _Message, start: int, end: int) -> bool:
    """Is the channel word the whole clause, asked (电话？, vx?, 微信呢？)?"""
    text = message.text
    clause_start, clause_end = message.clause_start(start), message.clause_end(max(start, end - 1))
    return (
        clause_start == start
        and text[end:clause_end] in ("", "吗", "呢", "号", "号呢", "号码", "有吗", "有没有")
        and _is_question(message, clause_end)
    )


def _names_you(words: str) -> bool:
    return "你" in words or "您" in words


def _names_person(words: str) -> bool:
    return any(person in words for person in ("我", "你", "您", "wo", "ni"))


def _number_hits(message: _Message, compiled: CompiledPolicy) -> list[Hit]:
    hits: list[Hit] = []
    for run in rules().digit_runs.finditer(message.text):
        start, end = run.span()
        kind = number_kind(message.text, start, end, compiled=compiled, contact_ends=message.contact_ends)
        if kind is None:
            continue
        if _date_or_time(message, start, end) and kind == "landline":
            continue  # 2024-05-12 13:00 reads as digits only after folding
        if kind == "landline" and not _landline_shaped(message, start, end):
            continue
        first = message.normalised.starts[start]
        if first > 0 and message.original[first - 1] in "¥￥$＄":
            continue  # a price
        hits.append(Hit(start, end, BANK_CARD if kind == "bank" else CONTACT_PHONE))
    return hits


def number_kind(text: str, start: int, end: int, *, compiled: CompiledPolicy, contact_ends: list[int]) -> str | None:
    """What the digit run text[start:end] of folded text may be: "mobile", "landline", "bank" or None.

    Uses the folded text only (the prescreen has no offsets); the slow path adds the checks that need
    the original (price signs, 021-1234 formatting, dates).
    """
    digits = text[start:end]
    size = len(digits)
    if size < 10 or size > 19 or _official_number(digits, compiled):
        return None
    grammar = rules()
    if (
        (size == 11 and digits[0] == "1" and digits[1] in "3456789")
        or (size == 13 and digits.startswith("861") and digits[3] in "3456789")
        or (size == 12 and digits.startswith("01") and digits[2] in "3456789")  # 0138… dialled long-distance
    ):
        kind = "mobile"
    elif size <= 12 and digits[0] == "0" and digits[1] != "0":
        local = digits[3:] if digits[1] in "12" else digits[4:]
        if not (7 <= len(local) <= 8 and local[0] in "23456789"):
            return None
        kind = "landline"
    elif (
        size >= 16
        # a card number passes Luhn; next to 卡号 / 银行 / 户名 a mistyped one still counts
        and (
            (luhn_valid(digits) and _BANK_PREFIX.match(digits))
            or grammar.bank_context.search(text, max(0, start - 12), min(len(text), end + 8))
        )
    ):
        kind = "bank"
    else:
        return None
    if _exempt_number(text, start, end, contact_ends=contact_ends):
        return None
    return kind


def _landline_shaped(message: _Message, start: int, end: int) -> bool:
    """021-1234 5678 or (010)…, or a phone word just before: a bare 11-digit run starting 0 is not enough."""
    digits = message.text[start:end]
    area = 3 if digits[1] in "12" else 4
    if _separator_inside(message, start + area):
        return True
    return rules().phone_context.search(message.text, max(0, start - 10), start) is not None


def _separator_inside(message: _Message, position: int) -> bool:
    """Was there a separator in the original right before folded `position` (021-1234 5678)?"""
    starts = message.normalised.starts
    return 0 < position < len(starts) and starts[position] - starts[position - 1] > 1


def _date_or_time(message: _Message, start: int, end: int) -> bool:
    first, last = message.normalised.span(start, end)
    return any(char in _DATE_TIME_UNITS for char in message.original[first:last])


def _official_number(digits: str, compiled: CompiledPolicy) -> bool:
    if digits in compiled.official_digits:
        return True
    if len(digits) == 10 and digits[:3] in ("400", "800"):
        return True  # company hotlines, never a person's
    stripped = digits[2:] if digits.startswith("86") else digits
    return stripped in compiled.official_digits or stripped.lstrip("0") in compiled.official_digits


def _exempt_number(text: str, start: int, end: int, *, contact_ends: list[int]) -> bool:
    """Order and tracking numbers, prices: by the words right before or after the digits."""
    grammar = rules()
    if grammar.courier_before.search(text, max(0, start - 6), start):
        return True
    if grammar.price_after.match(text, end):
        return True
    window_start = max(0, start - 12)
    exempt_end = -1
    for found in grammar.exempt_before_number.finditer(text, window_start, start):
        exempt_end = found.end()
    if exempt_end < 0:
        return False
    if grammar.phone_context.search(text, exempt_end, start) or grammar.bank_context.search(text, exempt_end, start):
        return False  # 让快递打这个 139… / 这单转我银行卡，工行 6212…: the nearer words say what the number is
    # the nearer word decides: 订单有问题加我微信13812345678 is contact, 订单号13812345678 is not
    index = bisect.bisect_right(contact_ends, start)
    contact_end = contact_ends[index - 1] if index else -1
    return exempt_end > contact_end or contact_end < window_start


def needs_rules(text: str, compiled: CompiledPolicy) -> list[tuple[int, int, LexiconValue]] | None:
    """The prescreen on folded text: the lexicon matches if the context rules must look, else None.

    A message whose only matches sit inside allowed phrases (微信支付, 店铺红包) and whose long digit
    runs are order, tracking or hotline numbers cannot hit.
    """
    lexicon = [(end + 1 - len(value[0]), end + 1, value) for end, value in compiled.automaton.iter(text)]
    allowed = [(start, end) for start, end, value in lexicon if value[3]]
    for start, end, value in lexicon:
        if value[2] and not any(a_start <= start and end <= a_end for a_start, a_end in allowed):
            return lexicon
    if any(kind == CONTEXT for _, _, value in lexicon for kind, _ in value[1]):
        return lexicon  # a phone or card word: a request for a number, or a number spelled in pieces
    contact_ends: list[int] | None = None
    for run in _NUMBER_CANDIDATE.finditer(text):
        if contact_ends is None:
            contact_ends = sorted(end for _, end, value in lexicon if value[4])
        if number_kind(text, run.start(), run.end(), compiled=compiled, contact_ends=contact_ends):
            return lexicon
    return None


_NUMBER_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{10,19}(?![0-9])")


def find_hits(
    normalised: Normalised, compiled: CompiledPolicy, lexicon: list[tuple[int, int, LexiconValue]] | None = None
) -> list[Hit]:
    """All hits in one folded message (`lexicon`: the automaton's matches, if already known)."""
    text = normalised.text
    if lexicon is None:
        lexicon = [(end + 1 - len(value[0]), end + 1, value) for end, value in compiled.automaton.iter(text)]
    message = _Message(normalised, lexicon)
    hits: list[Hit] = []
    for start, end, (key, entries, capable, _, _) in lexicon:
        if not capable or message.covered_by_allowed(start, end):
            continue
        if (key[0].isascii() or key[-1].isascii()) and not message.ascii_boundary_ok(start, end):
            continue
        if _reported(message, start):
            continue
        for kind, category in entries:
            if kind == TERM:
                if category == CONTACT_PHONE and (
                    _third_party_request(message, start, end)
                    or rules().callers.search(text, message.clause_start(start), start)
                ):
                    continue
                if category == PRIVATE_TRANSFER and rules().phone_context.match(text, end):
                    continue  # 直接打我手机: a call, not a payment
                if not _negated(message, start, end):
                    hits.append(Hit(start, end, category))
            elif kind == ALIAS:
                hits.extend(_alias_hits(message, category, start, end))
    hits.extend(_number_hits(message, compiled))
    hits.extend(Hit(*found.span(), CONTACT_QQ) for found in _QQ_MAIL.finditer(text))
    number_words = [
        (start, end, category)
        for start, end, value in lexicon
        for kind, category in value[1]
        if kind == CONTEXT and category in (CONTACT_PHONE, BANK_CARD)
    ]
    if number_words:
        if any(category == CONTACT_PHONE for _, _, category in number_words):
            hits.extend(_spelled_phone_hits(message, compiled))
        hits.extend(_request_hits(message, number_words))
    return hits


def _request_hits(message: _Message, words: list[tuple[int, int, str]]) -> list[Hit]:
    """Asking for someone's number is the violation (你电话多少, 给个电话, 把你手机号发我, 卡号发我),
    unless it is a courier's or the shop's (快递员电话多少, 你们客服电话多少) or refused."""
    compiled = rules()
    text = message.text
    hits: list[Hit] = []
    reach = -1
    for start, end, category in sorted(words, key=lambda word: (word[0], -word[1])):
        if end <= reach:
            continue  # 银行卡 inside 银行卡号: the longer word decides
        reach = end
        if message.covered_by_allowed(start, end) or _reported(message, start) or text.endswith("打", 0, start):
            continue  # (打)电话给我 asks for a call, not for a number
        before = compiled.phone_request_before.search(text, max(0, start - 8), start)
        after = compiled.phone_request_after.match(text, end, min(len(text), end + 8))
        if before is None and after is None and _bare_question(message, start, end):
            hits.append(Hit(start, end, category))  # 电话？ — the whole question is the request
            continue
        if before is None and (after is None or text.endswith("我", 0, start) or text.endswith("我的", 0, start)):
            continue  # 我的电话多少来着: one's own number, not a request
        span = (before.start() if before else start, after.end() if after else end)
        if _third_party_request(message, start, span[1]) or _negated(message, *span):
            continue
        hits.append(Hit(span[0], span[1], category))
    return hits


_QQ_MAIL = re.compile("(?<![0-9a-z])[1-9][0-9]{4,11}@qq")  # 2837461920@qq.com is QQ number 2837461920
# Between the pieces of a number read out in parts (139，后面是 0264 7785): no unit, no price, no date.
_NOT_A_PHONE_GAP = re.compile("[元块件个号年月日点时分秒米斤克寸码岁%¥￥$/:.x×*]|kg|cm|ml|g")
_PHONE_GAP_WORDS = re.compile("尾号|号码|手机号|电话号")  # 号 here is the number's, not a house number's
_MOBILE_DIGITS = re.compile("1[3-9][0-9]{9}")


def _spelled_phone_hits(message: _Message, compiled: CompiledPolicy) -> list[Hit]:
    """A mobile number given in two to six pieces with a few words between them, next to a phone word
    (一三九 后面是 零二六四七七八五 这是我电话; 电话前三位187，中间四位3625，后四位0914)."""
    text = message.text
    # 前3位 / 后4位 count the digits, they are not among them
    runs = [found.span() for found in rules().digit_runs.finditer(text) if not text.startswith("位", found.end())]
    for first in range(len(runs)):
        digits = ""
        for index in range(first, min(first + 6, len(runs))):
            start, end = runs[index]
            if index > first:
                gap = text[runs[index - 1][1] : start]
                if len(gap) > 8 or _NOT_A_PHONE_GAP.search(_PHONE_GAP_WORDS.sub("", gap)):
                    break
            digits += text[start:end]
            if len(digits) >= 11:
                if (
                    index > first
                    and len(digits) == 11
                    and _MOBILE_DIGITS.fullmatch(digits)
                    and not _official_number(digits, compiled)
                ):
                    return [Hit(runs[first][0], end, CONTACT_PHONE)]
                break
    return []


def merge_hits(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per category per stretch of text: overlapping or touching spans are joined."""
    merged: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.category, h.start, h.end)):
        if merged and merged[-1].category == hit.category and hit.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Hit(last.start, max(last.end, hit.end), hit.category)
        else:
            merged.append(hit)
    return sorted(merged, key=lambda h: (h.start, h.end, h.category))
