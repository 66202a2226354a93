"""Names, places, phone and ID numbers for synthetic customers (deterministic, vectorised)."""

from __future__ import annotations

import datetime as dt

import numpy as np

SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng", "Liang", "Xie", "Song",
    "Tang", "Han", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan",
    "Cai", "Jiang",
)
GIVEN = (
    "Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong", "Yan",
    "Jie", "Tao", "Ming", "Chao", "Xiuying", "Xia", "Hui", "Ping", "Gang", "Gui", "Hong", "Bo",
    "Yu", "Hao", "Xin", "Yi", "Ting", "Lan", "Rui", "Kai", "Lin", "Jian", "Ying", "Zhen",
    "Qing", "Peng", "Yun", "Dan",
)
CITIES = (
    ("Beijing", "110105"),
    ("Shanghai", "310104"),
    ("Guangzhou", "440106"),
    ("Shenzhen", "440305"),
    ("Chengdu", "510107"),
    ("Hangzhou", "330106"),
    ("Wuhan", "420106"),
    ("Xi'an", "610113"),
    ("Nanjing", "320106"),
    ("Tianjin", "120101"),
)
EMPLOYERS = (
    "Huaxin Technology",
    "Jinding Logistics",
    "City Hospital",
    "Oriental Trading",
    "Changjiang Manufacturing",
    "Municipal Education Bureau",
    "Tianhe Retail",
    "Pearl River Construction",
    "Xingyun Software",
    "Guotai Insurance Agency",
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number(region: str, birth: dt.date, seq: int) -> str:
    """An 18-character resident ID with a valid ISO 7064 check character."""
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def names(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.integers(0, len(SURNAMES), n)
    g = rng.integers(0, len(GIVEN), n)
    return [f"{GIVEN[b]} {SURNAMES[a]}" for a, b in zip(s.tolist(), g.tolist(), strict=True)]
