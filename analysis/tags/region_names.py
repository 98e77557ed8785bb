"""Names of China's divisions beyond the gazetteer's own: the words their short forms
collide with, the peoples in autonomous divisions' names, the provinces' other names and
the rank of cities (which of several same-named districts a text means by default).
"""

from __future__ import annotations

import re

MUNICIPALITIES = ("11", "12", "31", "50")
# Short forms that are ordinary words, surnames or landmarks far more often than places.
AMBIGUOUS_STEMS = frozenset(
    "城区 郊区 新区 矿区 高新 开发 中山 和平 长安 新华 胜利 人民 东风 文化 团结 红旗 "
    "青山 白云 南山 北山 东山 西山 城关 永安 安定 阿里 江南 东区 西区 南区 北区 中区 "
    "普陀 铁山 东方 城中 城东 城西 城南 城北 长治 大同 白银 来宾 普洱 日照 安康 黑河 "
    "三明 开封 海东 山南 吉安 永康 新市 龙华 龙岗 华容 长寿 江北 河西 河东 清河 红山 "
    "大通 宁安 安宁 华安 兴安 东兴 西安区 太平 和田 平安 正定 宜章 上城 下城 "
    "金川 合作 海城 凤城 海港 港口 港南 港北 宝山 新城 老城 古城 高平 长海 阳光 民乐 "
    "西湖 东湖 北湖 南湖 双桥 桥东 桥西 江城 河口 沙河 沙湾 白河 金山 万山 万全 "
    "大安 丰都 云龙 龙泉 龙门 龙山 龙湖 富民 仁和 和顺 顺义 延长 临夏 平山 泰山 黄山区".split()
)
# The peoples named in autonomous divisions (延边朝鲜族自治州, 管城回族区), longest first.
ETHNIC_GROUPS = sorted(
    (
        "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 "
        "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 "
        "普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 "
        "门巴 珞巴 基诺 各"
    ).split(),
    key=len,
    reverse=True,
)
ETHNIC_TAIL = re.compile(
    "(?:(?:" + "|".join(ETHNIC_GROUPS) + ")族?)*(?:" + "|".join(ETHNIC_GROUPS) + ")族$"
)
# Names a province goes by besides its own: the old ones (齐鲁, 燕赵, 三秦) and its one-
# character name with a side (冀北, 豫南, 苏北, 粤东, 陕北).
ALIASES = {
    "内蒙": "150000",
    **dict.fromkeys(("齐鲁", "鲁西", "鲁南", "鲁中", "胶东"), "370000"),
    **dict.fromkeys(("燕赵", "冀北", "冀南", "冀中", "冀东"), "130000"),
    **dict.fromkeys(("三秦", "陕北", "陕南"), "610000"),
    **dict.fromkeys(("豫北", "豫南", "豫东", "豫西"), "410000"),
    **dict.fromkeys(("苏北", "苏南", "苏中"), "320000"),
    **dict.fromkeys(("粤东", "粤西", "粤北"), "440000"),
    **dict.fromkeys(("皖北", "皖南"), "340000"),
    **dict.fromkeys(("八闽", "闽南", "闽东"), "350000"),
    **dict.fromkeys(("荆楚", "鄂西"), "420000"),
    **dict.fromkeys(("三晋", "晋北", "晋南"), "140000"),
    "陇东": "620000",
}
# A name several divisions share (朝阳区, 鼓楼区, 龙华区) with nothing else in the text to
# tell them apart is read as the one in the city of highest rank (municipality, then
# these sub-provincial cities, then a provincial capital: code xx01), if only one is.
SUB_PROVINCIAL_CITIES = frozenset(
    "2101 2102 2201 2301 3201 3301 3302 3502 3701 3702 4201 4401 4403 5101 6101".split()
)
