"""Sales regions down to street level: 4 regions x 3 cities (areas) x 4 districts (communities) x 5 streets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# region: (zh, en, [(city zh, city en, lat, lon, [districts (zh, en)])])
REGIONS = [
    (
        "华东",
        "East China",
        [
            (
                "上海",
                "Shanghai",
                31.23,
                121.47,
                [("浦东", "Pudong"), ("徐汇", "Xuhui"), ("静安", "Jing'an"), ("闵行", "Minhang")],
            ),
            (
                "杭州",
                "Hangzhou",
                30.27,
                120.16,
                [("西湖", "Xihu"), ("拱墅", "Gongshu"), ("滨江", "Binjiang"), ("萧山", "Xiaoshan")],
            ),
            (
                "南京",
                "Nanjing",
                32.06,
                118.80,
                [("玄武", "Xuanwu"), ("鼓楼", "Gulou"), ("江宁", "Jiangning"), ("秦淮", "Qinhuai")],
            ),
        ],
    ),
    (
        "华北",
        "North China",
        [
            (
                "北京",
                "Beijing",
                39.90,
                116.41,
                [("朝阳", "Chaoyang"), ("海淀", "Haidian"), ("丰台", "Fengtai"), ("通州", "Tongzhou")],
            ),
            (
                "天津",
                "Tianjin",
                39.13,
                117.20,
                [("和平", "Heping"), ("河西", "Hexi"), ("南开", "Nankai"), ("滨海", "Binhai")],
            ),
            (
                "石家庄",
                "Shijiazhuang",
                38.04,
                114.51,
                [("长安", "Chang'an"), ("桥西", "Qiaoxi"), ("裕华", "Yuhua"), ("新华", "Xinhua")],
            ),
        ],
    ),
    (
        "华南",
        "South China",
        [
            (
                "广州",
                "Guangzhou",
                23.13,
                113.26,
                [("天河", "Tianhe"), ("越秀", "Yuexiu"), ("海珠", "Haizhu"), ("白云", "Baiyun")],
            ),
            (
                "深圳",
                "Shenzhen",
                22.54,
                114.06,
                [("福田", "Futian"), ("南山", "Nanshan"), ("罗湖", "Luohu"), ("宝安", "Bao'an")],
            ),
            (
                "南宁",
                "Nanning",
                22.82,
                108.37,
                [("青秀", "Qingxiu"), ("兴宁", "Xingning"), ("江南", "Jiangnan"), ("西乡塘", "Xixiangtang")],
            ),
        ],
    ),
    (
        "西南",
        "Southwest",
        [
            (
                "成都",
                "Chengdu",
                30.57,
                104.07,
                [("锦江", "Jinjiang"), ("青羊", "Qingyang"), ("武侯", "Wuhou"), ("成华", "Chenghua")],
            ),
            (
                "重庆",
                "Chongqing",
                29.56,
                106.55,
                [("渝中", "Yuzhong"), ("江北", "Jiangbei"), ("南岸", "Nan'an"), ("沙坪坝", "Shapingba")],
            ),
            (
                "昆明",
                "Kunming",
                25.04,
                102.71,
                [("五华", "Wuhua"), ("盘龙", "Panlong"), ("官渡", "Guandu"), ("西山", "Xishan")],
            ),
        ],
    ),
]
STREET_WORDS = [
    ("人民路", "Renmin Rd"),
    ("解放路", "Jiefang Rd"),
    ("中山路", "Zhongshan Rd"),
    ("建设路", "Jianshe Rd"),
    ("和平街", "Heping St"),
    ("新华路", "Xinhua Rd"),
    ("长江路", "Changjiang Rd"),
    ("滨江路", "Binjiang Rd"),
    ("东风路", "Dongfeng Rd"),
    ("胜利街", "Shengli St"),
    ("光明路", "Guangming Rd"),
    ("文化路", "Wenhua Rd"),
    ("朝阳路", "Chaoyang Rd"),
    ("红旗街", "Hongqi St"),
    ("幸福路", "Xingfu Rd"),
    ("友谊路", "Youyi Rd"),
    ("青年路", "Qingnian Rd"),
    ("公园路", "Gongyuan Rd"),
    ("花园街", "Huayuan St"),
    ("学府路", "Xuefu Rd"),
]
STREETS_PER_COMMUNITY = 5


@dataclass(frozen=True)
class Geography:
    """The region table plus per-street lookups used to place accounts, scans and price checks."""

    regions: pd.DataFrame  # the region table
    streets: pd.DataFrame  # one row per street: region_id, community_id, area_id, top_id, lat, lon, name_*


def build_geography(rng: np.random.Generator) -> Geography:
    """Build the four-level hierarchy with population and outlet counts summed upward."""
    rows, streets = [], []
    for ri, (r_zh, r_en, cities) in enumerate(REGIONS, start=1):
        r_code = f"R{ri:02d}"
        rows.append(
            dict(region_id=r_code, parent_id=None, level="region", code=r_code, name_zh=r_zh, name_en=r_en, path=r_code)
        )
        for ai, (a_zh, a_en, lat, lon, districts) in enumerate(cities, start=1):
            a_code = f"{r_code}A{ai:02d}"
            rows.append(
                dict(
                    region_id=a_code,
                    parent_id=r_code,
                    level="area",
                    code=a_code,
                    name_zh=a_zh + "市",
                    name_en=a_en,
                    path=f"{r_code}/{a_code}",
                )
            )
            for ci, (c_zh, c_en) in enumerate(districts, start=1):
                c_code = f"{a_code}C{ci:02d}"
                rows.append(
                    dict(
                        region_id=c_code,
                        parent_id=a_code,
                        level="community",
                        code=c_code,
                        name_zh=a_zh + c_zh + "区",
                        name_en=f"{a_en} {c_en}",
                        path=f"{r_code}/{a_code}/{c_code}",
                    )
                )
                picks = rng.choice(len(STREET_WORDS), STREETS_PER_COMMUNITY, replace=False)
                for si, w in enumerate(picks, start=1):
                    s_code = f"{c_code}S{si:02d}"
                    s_zh, s_en = STREET_WORDS[int(w)]
                    rows.append(
                        dict(
                            region_id=s_code,
                            parent_id=c_code,
                            level="street",
                            code=s_code,
                            name_zh=c_zh + s_zh + "街道",
                            name_en=f"{c_en} {s_en}",
                            path=f"{r_code}/{a_code}/{c_code}/{s_code}",
                        )
                    )
                    streets.append(
                        dict(
                            region_id=s_code,
                            community_id=c_code,
                            area_id=a_code,
                            top_id=r_code,
                            lat=lat + (ci - 2.5) * 0.05 + (si - 3) * 0.01,
                            lon=lon + (ci - 2.5) * 0.05 - (si - 3) * 0.01,
                            name_zh=s_zh,
                            name_en=s_en,
                            area_zh=a_zh,
                            area_en=a_en,
                        )
                    )
    regions = pd.DataFrame(rows)
    street_df = pd.DataFrame(streets)
    regions = _add_population(rng, regions)
    return Geography(regions, street_df)


def _add_population(rng: np.random.Generator, regions: pd.DataFrame) -> pd.DataFrame:
    out = regions.copy()
    is_street = out["level"] == "street"
    pop = np.where(is_street, np.round(rng.lognormal(np.log(80_000), 0.35, len(out)), -2), 0.0)
    outlets = np.where(is_street, np.round(pop / rng.uniform(250, 450, len(out))), 0.0)
    out["population"], out["outlets_universe"] = pop, outlets
    for level, child in (("community", "street"), ("area", "community"), ("region", "area")):
        sums = out[out["level"] == child].groupby("parent_id")[["population", "outlets_universe"]].sum()
        mask = out["level"] == level
        out.loc[mask, "population"] = out.loc[mask, "region_id"].map(sums["population"]).to_numpy()
        out.loc[mask, "outlets_universe"] = out.loc[mask, "region_id"].map(sums["outlets_universe"]).to_numpy()
    out["population"] = out["population"].astype("int64")
    out["outlets_universe"] = out["outlets_universe"].astype("int64")
    return out
