"""Tests of category slugs and tags, and of the category pipeline."""

from __future__ import annotations

import json

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from newscrawl.pipelines.category import CategoryPipeline, slugify, tag_for

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("media", "slug"),
    [
        ("人民邮电报", "renminyoudianbao"),  # the golden post's category
        # context-aware readings (the old generator wrote zhongguoyinxing, zhongqing...)
        ("中国银行", "zhongguoyinhang"),
        ("重庆日报", "chongqingribao"),
        ("中国钢铁协会", "zhongguogangtiexiehui"),
        ("央行网站", "yanghangwangzhan"),  # the old generator wrote yangxingwangzhan
        # 投行 (investment bank): pypinyin alone reads touxing (PINYIN_PHRASES)
        ("投行先锋", "touhangxianfeng"),
        ("中国证券报·投行", "zhongguozhengquanbaotouhang"),
        # the media of the replica and of the live archive's samples, every
        # polyphone in them read as the name means it
        ("券商中国", "quanshangzhongguo"),
        ("央视新闻客户端", "yangshixinwenkehuduan"),
        ("上海证券报", "shanghaizhengquanbao"),
        ("每日经济新闻", "meirijingjixinwen"),
        # ASCII letters and digits kept as they are, everything else dropped
        ("21世纪经济报道 21财经APP", "21shijijingjibaodao21caijingAPP"),
        ("安信国际证券(香港)", "anxinguojizhengquanxianggang"),
        ("安信国际证券（香港）", "anxinguojizhengquanxianggang"),
        ("ＡＰＰ新闻２１", "APPxinwen21"),  # full-width letters and digits
        ("Reuters路透", "Reuterslutou"),
        ("  人民邮电报\n", "renminyoudianbao"),
        ("绿色金融", "lvsejinrong"),  # ü as v, ASCII only
    ],
)
def test_slugify(media: str, slug: str) -> None:
    assert slugify(media) == slug


def test_slugs_are_ascii_letters_and_digits_only() -> None:
    for media in ("中国银行", "21世纪经济报道 21财经APP", "安信国际证券(香港)", "e公司·证券时报"):
        assert slugify(media).isascii()
        assert slugify(media).isalnum()


def test_override_wins() -> None:
    overrides = {"中国银行": "boc", "人民邮电报": "rmydb"}
    assert slugify("中国银行", overrides) == "boc"
    assert slugify(" 人民邮电报 ", overrides) == "rmydb"
    assert slugify("重庆日报", overrides) == "chongqingribao"


@pytest.mark.parametrize("media", ["", "   ", "!!!", "·（）", "😀"])
def test_empty_slug_raises(media: str) -> None:
    with pytest.raises(ValueError, match="empty slug"):
        slugify(media)


def test_override_must_be_a_safe_slug() -> None:
    with pytest.raises(ValueError, match="not"):
        slugify("中国银行", {"中国银行": "../etc"})


def test_tag_for() -> None:
    assert tag_for("人民邮电报") == "人民邮电报新闻"
    assert tag_for(" 21世纪经济报道 21财经APP ") == "21世纪经济报道 21财经APP新闻"
    with pytest.raises(ValueError):
        tag_for("  ")


# --- The pipeline ----------------------------------------------------------------------


def make_pipeline(settings: dict[str, object] | None = None) -> CategoryPipeline:
    return CategoryPipeline.from_crawler(get_crawler(settings_dict=settings or {}))


def article(media: object) -> Article:
    return Article(code="NW202112282228838683", share_url="http://h/x", media=media)  # type: ignore[arg-type]


def test_pipeline_sets_slug_and_tag() -> None:
    item = article("人民邮电报")
    assert make_pipeline().process_item(item) is item
    assert (item.slug, item.tag) == ("renminyoudianbao", "人民邮电报新闻")


@pytest.mark.parametrize(
    "overrides",
    [
        {"人民邮电报": "rmydb"},
        json.dumps({"人民邮电报": "rmydb"}, ensure_ascii=False),  # from -s on the command line
    ],
)
def test_pipeline_reads_overrides_as_dict_or_json(overrides: object) -> None:
    pipeline = make_pipeline({"NEWSCRAWL_SLUG_OVERRIDES": overrides})
    item = article("人民邮电报")
    pipeline.process_item(item)
    assert (item.slug, item.tag) == ("rmydb", "人民邮电报新闻")
    other = article("中国银行")
    pipeline.process_item(other)
    assert other.slug == "zhongguoyinhang"


@pytest.mark.parametrize("overrides", ["", None, {}])
def test_pipeline_without_overrides(overrides: object) -> None:
    item = article("中国银行")
    make_pipeline({"NEWSCRAWL_SLUG_OVERRIDES": overrides}).process_item(item)
    assert item.slug == "zhongguoyinhang"


@pytest.mark.parametrize(
    "overrides", ["{not json", '["a", "b"]', {"中国银行": 3}, {"中国银行": "a b"}]
)
def test_pipeline_refuses_bad_overrides_at_start(overrides: object) -> None:
    with pytest.raises(ValueError, match="NEWSCRAWL_SLUG_OVERRIDES"):
        make_pipeline({"NEWSCRAWL_SLUG_OVERRIDES": overrides})


@pytest.mark.parametrize(
    ("media", "reason"),
    [
        ("", "missing media name"),
        ("  \n", "missing media name"),
        (None, "missing media name"),
        ("!!!", "media name '!!!' gives an empty slug"),
        (" ·（） ", "media name '·（）' gives an empty slug"),
    ],
)
def test_pipeline_drops_with_a_reason(media: object, reason: str) -> None:
    item = article(media)
    with pytest.raises(DropItem) as caught:
        make_pipeline().process_item(item)
    assert str(caught.value) == reason
    assert item.slug == "" and item.tag == ""


def test_each_pipeline_keeps_its_own_slugs_and_no_failure() -> None:
    plain = CategoryPipeline()
    overridden = CategoryPipeline({"人民邮电报": "rmydb"})
    for _ in range(2):  # the second time from the cache
        assert plain.slug("人民邮电报") == "renminyoudianbao"
        assert overridden.slug("人民邮电报") == "rmydb"
    with pytest.raises(ValueError):
        plain.slug("（）")
    with pytest.raises(ValueError):
        plain.slug("（）")  # a failure is not remembered as a slug
