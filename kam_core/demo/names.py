"""Chinese names with their English renderings, drawn reproducibly from a numpy Generator."""

from __future__ import annotations

import numpy as np

SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("高", "Gao"),
    ("郑", "Zheng"),
    ("梁", "Liang"),
    ("谢", "Xie"),
    ("宋", "Song"),
    ("唐", "Tang"),
    ("许", "Xu"),
    ("邓", "Deng"),
    ("冯", "Feng"),
    ("韩", "Han"),
    ("曹", "Cao"),
]
GIVEN = [
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("磊", "Lei"),
    ("强", "Qiang"),
    ("军", "Jun"),
    ("洋", "Yang"),
    ("勇", "Yong"),
    ("艳", "Yan"),
    ("杰", "Jie"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("秀英", "Xiuying"),
    ("华", "Hua"),
    ("平", "Ping"),
    ("刚", "Gang"),
    ("桂英", "Guiying"),
    ("丽", "Li"),
    ("建国", "Jianguo"),
    ("志强", "Zhiqiang"),
    ("海燕", "Haiyan"),
    ("晓东", "Xiaodong"),
    ("文博", "Wenbo"),
    ("子涵", "Zihan"),
    ("国庆", "Guoqing"),
    ("春梅", "Chunmei"),
    ("德华", "Dehua"),
    ("雪梅", "Xuemei"),
    ("宏伟", "Hongwei"),
]
WORDS = [
    ("恒达", "Hengda"),
    ("鑫源", "Xinyuan"),
    ("兴旺", "Xingwang"),
    ("宏发", "Hongfa"),
    ("福满", "Fuman"),
    ("金鼎", "Jinding"),
    ("顺达", "Shunda"),
    ("嘉禾", "Jiahe"),
    ("永盛", "Yongsheng"),
    ("利民", "Limin"),
    ("友谊", "Youyi"),
    ("红星", "Hongxing"),
    ("天天", "Tiantian"),
    ("百佳", "Baijia"),
    ("四季", "Siji"),
    ("老街", "Laojie"),
    ("万家", "Wanjia"),
    ("盛泰", "Shengtai"),
    ("汇丰", "Huifeng"),
    ("通达", "Tongda"),
    ("瑞祥", "Ruixiang"),
    ("东方", "Dongfang"),
    ("长江", "Changjiang"),
    ("新华", "Xinhua"),
    ("富民", "Fumin"),
    ("同心", "Tongxin"),
    ("家和", "Jiahe"),
    ("旺角", "Wangjiao"),
    ("喜来", "Xilai"),
    ("好运", "Haoyun"),
    ("金桥", "Jinqiao"),
    ("华盛", "Huasheng"),
]
KA_CHAINS = [
    ("永辉超市", "Yonghui Superstores"),
    ("华润万家", "CR Vanguard"),
    ("大润发", "RT-Mart"),
    ("沃尔玛", "Walmart"),
    ("家乐福", "Carrefour"),
    ("物美", "Wumart"),
    ("联华超市", "Lianhua"),
    ("步步高", "Bubugao"),
    ("红旗连锁", "Hongqi Chain"),
    ("美宜佳", "Meiyijia"),
    ("盒马", "Hema"),
]
RETAIL_KINDS = [
    ("便利店", "Convenience Store"),
    ("烟酒店", "Tobacco & Liquor"),
    ("超市", "Mini-market"),
    ("小卖部", "Corner Shop"),
    ("副食店", "Grocery"),
]
ONPREM_KINDS = [
    ("家菜馆", "Home Kitchen"),
    ("烧烤", "BBQ"),
    ("火锅", "Hotpot"),
    ("大排档", "Food Stall"),
    ("酒楼", "Restaurant"),
    ("小龙虾", "Crayfish House"),
    ("精酿吧", "Craft Bar"),
]


def _pick(rng: np.random.Generator, pool: list[tuple[str, str]], n: int) -> tuple[np.ndarray, np.ndarray]:
    idx = rng.integers(0, len(pool), n)
    zh = np.array([p[0] for p in pool], dtype=object)[idx]
    en = np.array([p[1] for p in pool], dtype=object)[idx]
    return zh, en


def person_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` personal names: Chinese (surname + given) and English (Given Surname)."""
    s_zh, s_en = _pick(rng, SURNAMES, n)
    g_zh, g_en = _pick(rng, GIVEN, n)
    return s_zh + g_zh, g_en + " " + s_en


def account_names(
    rng: np.random.Generator, tiers: np.ndarray, place_zh: np.ndarray, place_en: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Business names that read like the channel: 酒业公司 for distributors, 批发部 for wholesalers, chain
    stores for KA, shops and restaurants for the rest. ``place_*`` is where the account sits."""
    n = len(tiers)
    w_zh, w_en = _pick(rng, WORDS, n)
    s_zh, s_en = _pick(rng, SURNAMES, n)
    c_zh, c_en = _pick(rng, KA_CHAINS, n)
    r_zh, r_en = _pick(rng, RETAIL_KINDS, n)
    o_zh, o_en = _pick(rng, ONPREM_KINDS, n)
    use_surname = rng.random(n) < 0.5
    zh = np.empty(n, dtype=object)
    en = np.empty(n, dtype=object)
    for code, zh_fmt, en_fmt in (
        ("DIST", place_zh + w_zh + "酒业有限公司", place_en + " " + w_en + " Beverages Co., Ltd."),
        ("WHS2", place_zh + w_zh + "副食批发部", place_en + " " + w_en + " Wholesale"),
        ("KA", c_zh + place_zh + "店", c_en + " " + place_en + " Store"),
    ):
        zh = np.where(tiers == code, zh_fmt, zh)
        en = np.where(tiers == code, en_fmt, en)
    owner_zh = np.where(use_surname, s_zh + "记", w_zh)
    owner_en = np.where(use_surname, s_en + "'s", w_en)
    zh = np.where(tiers == "RETAIL", place_zh + owner_zh + r_zh, zh)
    en = np.where(tiers == "RETAIL", owner_en + " " + r_en + " (" + place_en + ")", en)
    zh = np.where(tiers == "ONPREM", place_zh + owner_zh + o_zh, zh)
    en = np.where(tiers == "ONPREM", owner_en + " " + o_en + " (" + place_en + ")", en)
    return zh, en
