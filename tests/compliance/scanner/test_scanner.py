"""What agents and customers rely on: evasions are blocked, ordinary service talk and refusals are not."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from kefu.compliance.scanner import (
    Action,
    CategoryRule,
    PolicyHolder,
    Scanner,
    ScannerPolicy,
    Verdict,
    compile_policy,
    default_policy,
)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(default_policy())


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("加我薇信：ＡＢＣ１２３", "contact_wechat"),
        ("有事加我 vx lily_2024", "contact_wechat"),
        ("加 我 微 信 ： a b c 1 2 3 4", "contact_wechat"),
        ("加我微信號：abc12345", "contact_wechat"),
        ("➕V：meimei1688", "contact_wechat"),
        ("这里说话不方便，绿泡泡联系", "contact_wechat"),
        ("abc_2024 是我微信", "contact_wechat"),
        ("客服能加你微信吗", "contact_wechat"),
        ("加我扣扣 ①②③④⑤⑥⑦⑧", "contact_qq"),
        ("企鹅号：玖捌柒陆伍肆叁贰", "contact_qq"),
        ("我的电话 138 1234 5678", "contact_phone"),
        ("壹叁捌壹贰叁肆伍陆柒捌", "contact_phone"),
        ("幺三八 幺二三四 五六七八", "contact_phone"),
        ("1😊3😊8😊1😊2😊3😊4😊5😊6😊7😊8", "contact_phone"),
        ("+86 139 0011 2233", "contact_phone"),
        ("座机 021-6234 5678", "contact_phone"),
        ("打我手机吧，这里不方便说", "contact_phone"),
        ("支付宝账号 lily@163.com", "contact_alipay"),
        ("扫码加我，给你发优惠", "contact_qr"),
        ("我的二維碼發給你，掃一下", "contact_qr"),
        ("卡号 6222 0212 3456 7890 128", "bank_card"),
        # asking for the number is the violation
        ("你电话多少？我打过去问比较快", "contact_phone"),
        ("把你手机号发我下", "contact_phone"),
        # one character or a bare verb, right before an account
        ("薇：mumu_1314 私下联系", "contact_wechat"),
        ("➕我✌️：nini_9999 聊", "contact_wechat"),
        ("🟢 zhou_mm233 私聊", "contact_wechat"),
        ("扣 2650418 加我", "contact_qq"),
        ("🐧🐧：2468013579 加我呀", "contact_qq"),
        ("有QQ吗 加我 1425583690", "contact_qq"),
        # digits in disguise
        ("手机幺三两八七五六九九两零，白天都在", "contact_phone"),
        ("电話1３8ｏ0８８6２4５", "contact_phone"),
        ("shouji yao ba liu, er san ling qi, jiu wu si yi", "contact_phone"),
        ("号码：one三八 two零 five七七 nine四one", "contact_phone"),
        # a number read out in pieces next to a phone word
        ("一三九 后面是 零二六四七七八五 这是我电话", "contact_phone"),
        # cards and payment codes
        ("卡：6225-8801-3792-4601", "bank_card"),
        ("能转银行卡吗 发个卡号过来", "bank_card"),
        ("你发个收款码给我吧 我扫码付", "contact_qr"),
        ("我把钱打你支付宝 你告诉我账号", "contact_alipay"),
        ("gei wo ni de weixin", "contact_wechat"),
    ],
)
def test_contact_exchange_is_blocked(scanner: Scanner, text: str, category: str) -> None:
    result = scanner.scan(text)

    assert result.action == Verdict.BLOCK
    assert category in result.categories
    assert result.notice == "请通过官方渠道联系"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我给你发个红包，帮我加急处理一下", "red_packet"),
        ("🧧给你，辛苦了", "red_packet"),
        ("紅包私發給你，幫我處理", "red_packet"),
        ("直接转给我就行，不用走平台", "private_transfer"),
        ("打到我卡上，我给你发货", "private_transfer"),
        ("私 下 转 账 更 便 宜", "private_transfer"),
        ("要优先发货的话，给我包个利是就行", "red_packet"),
        ("王医生，一点心意，红包请您务必收下。", "red_packet"),
        ("帮我把这单的运费险赔付批了，红包200给你", "red_packet"),
        ("拼多多扣点太高了，咱们走线下", "private_transfer"),
    ],
)
def test_red_packets_and_private_transfers_warn(scanner: Scanner, text: str, category: str) -> None:
    result = scanner.scan(text)

    assert result.action == Verdict.WARN
    assert result.categories == (category,)
    assert result.notice is None


@pytest.mark.parametrize(
    "text",
    [
        "如有问题请拨打官方客服热线 400-820-8820",
        "也可以拨打 95188 咨询支付问题",
        "您好，订单号 3847562910384756201 已经发货了",
        "顺丰单号 SF1402345678901",
        "这款原价¥1380，现在活动价1280元",
        "预计2024年5月20日送达，2024-05-20 14:00 前签收",
        "库存还有1200件，尺码 38 39 40 41 42 都有",
        "支持微信支付和支付宝付款",
        "退款会原路退回您的微信零钱",
        "我不加微信，有问题在这里说就行",
        "不能收红包哦，谢谢亲",
        "公司规定不可以私下转账",
        "请勿添加私人微信，以免上当受骗",
        "私下转账是不允许的",
        "下单前领取店铺红包，满200减20",
        "扫描包装上的二维码可以验证真伪",
        "分享给微信好友可以领券吗",
        "帮我转人工",
        "什么时候发货？",
        # what the rules for requests, bare aliases and spelled digits must leave alone
        "你们客服电话多少",
        "快递员电话多少，我联系不上他",
        "这个手机多少钱",
        "微波炉 abc123 型号有货吗",
        "我的昵称 qiqi2021 好听吗",
        "someone two 3 four",
        "退款会打到您支付宝账户",
        "运费险理赔款会打到您的支付宝账户",
        "快递员说要收上楼辛苦费，这合理吗",
        "公司规定客服不能收取任何辛苦费",
        "温馨提示：请勿相信任何要求您私下加微信的人",
        "刚才有人让我加他QQ说能帮我退款，我没理他，是骗子吧？",
        "会员卡号 6225880137924601 积分怎么查",
        "买两件能便宜吗",
    ],
)
def test_ordinary_service_talk_is_allowed(scanner: Scanner, text: str) -> None:
    assert scanner.scan(text).action == Verdict.ALLOW


def test_a_refusal_does_not_shield_a_later_invitation(scanner: Scanner) -> None:
    result = scanner.scan("不加微信的话你会后悔，加我微信 abc123")

    assert result.action == Verdict.BLOCK
    assert any(match.text.endswith("abc123") for match in result.matches)


@pytest.mark.parametrize("text", ["能不能加你微信", "要不加个微信吧", "你不加我微信吗？", "不加微信就没办法给你退差价"])
def test_questions_suggestions_and_pressure_are_no_refusals(scanner: Scanner, text: str) -> None:
    assert scanner.scan(text).categories == ("contact_wechat",)


def test_matches_point_into_the_original_text(scanner: Scanner) -> None:
    text = "亲，加我 薇 信：ＡＢＣ１２３，电话 壹叁捌 1234 5678 哦"
    result = scanner.scan(text)

    assert result.categories == ("contact_phone", "contact_wechat")
    for match in result.matches:
        assert text[match.start : match.end] == match.text
    by_category = {match.category: match.text for match in result.matches}
    assert by_category["contact_wechat"] == "加我 薇 信：ＡＢＣ１２３"
    assert by_category["contact_phone"] == "壹叁捌 1234 5678"


def test_shop_hotline_from_policy_is_not_a_contact() -> None:
    policy = replace(default_policy(), official_numbers=("0571-8888 6666",))
    scanner = Scanner(policy)

    assert scanner.scan("有问题请打我们门店电话 0571-8888 6666").action == Verdict.ALLOW
    assert scanner.scan("有问题打我电话 0571-8888 7777").action == Verdict.BLOCK


def test_log_only_category_allows_but_lists_matches() -> None:
    policy = default_policy()
    rules = tuple(replace(rule, action=Action.LOG) if rule.name == "red_packet" else rule for rule in policy.categories)
    scanner = Scanner(replace(policy, version=2, categories=rules))

    result = scanner.scan("我给你发个红包")

    assert result.action == Verdict.ALLOW
    assert result.categories == ("red_packet",)
    assert result.matches


def test_custom_category_with_its_own_terms() -> None:
    policy = default_policy()
    extra = CategoryRule(name="contact_douyin", action=Action.BLOCK, terms=("抖音私信我",), aliases=("抖音",))
    scanner = Scanner(replace(policy, categories=(*policy.categories, extra)))

    assert scanner.scan("抖 音 私 信 我").categories == ("contact_douyin",)
    assert scanner.scan("加我抖音").categories == ("contact_douyin",)
    assert scanner.scan("抖音上也有我们店").action == Verdict.ALLOW


def test_policy_round_trips_through_json() -> None:
    policy = default_policy(version=7)

    restored = ScannerPolicy.from_dict(json.loads(json.dumps(policy.to_dict(), ensure_ascii=False)))

    assert restored == policy


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "version"),
        ({"version": 1, "categories": []}, "map"),
        ({"version": 1, "categories": {"x": {"action": "explode"}}}, "block, warn or log"),
        ({"version": 1, "categories": {"x": {"action": "block", "terms": "加我"}}}, "list of strings"),
    ],
)
def test_malformed_policy_names_the_problem(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ScannerPolicy.from_dict(data)


def test_policy_swap_recompiles_only_for_a_new_version() -> None:
    holder = PolicyHolder(default_policy(version=1))
    first = holder.current

    assert holder.install(default_policy(version=1)) is first

    stricter = default_policy(version=2)
    stricter = replace(
        stricter,
        categories=tuple(
            replace(rule, terms=(*rule.terms, "小窗我")) if rule.name == "contact_wechat" else rule
            for rule in stricter.categories
        ),
    )
    second = holder.install(stricter)

    assert second is not first
    assert second.version == 2
    scanner = Scanner(holder=holder)
    assert scanner.scan("小窗我").categories == ("contact_wechat",)


def test_scanner_use_policy_swaps_without_a_new_scanner() -> None:
    scanner = Scanner(default_policy(version=1))
    assert scanner.scan("小窗我").action == Verdict.ALLOW

    policy = default_policy(version=2)
    scanner.use_policy(
        replace(
            policy,
            categories=tuple(
                replace(rule, terms=(*rule.terms, "小窗我")) if rule.name == "contact_wechat" else rule
                for rule in policy.categories
            ),
        )
    )

    assert scanner.scan("小窗我").categories == ("contact_wechat",)


def test_branch_may_add_stricter_terms_but_not_remove_hq_ones() -> None:
    hq = default_policy(version=3)
    branch = ScannerPolicy(
        version=1,
        categories=(
            CategoryRule(name="red_packet", action=Action.BLOCK, terms=("包个大的",)),
            CategoryRule(name="contact_wechat", action=Action.LOG),
        ),
        allowed_phrases=("加我微信",),
    )

    merged = hq.with_branch_additions(branch)

    assert merged.action_for("red_packet") == Action.BLOCK
    assert merged.action_for("contact_wechat") == Action.BLOCK  # HQ's block stands
    assert "包个大的" in merged.rule("red_packet").terms  # type: ignore[union-attr]
    assert "加我微信" not in merged.allowed_phrases
    assert Scanner(merged).scan("加我微信 abc123").action == Verdict.BLOCK


def test_compiled_policy_is_one_automaton_over_every_term() -> None:
    compiled = compile_policy(default_policy())

    assert compiled.term_count > 300
    assert len(compiled.automaton) >= compiled.term_count // 2
