"""Synthetic cycles for benchmarks: the real report's 17 responses, copied N times.

    python bench/generate.py 10 bench/data      → bench/data/bench-x10/ (170 departments)

Copy k of a department is named "<name> (k)"; the text is the real text, so the
layout work per department is the real report's. Deterministic: same N, same files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from pipeline.names import slugify
from pipeline.submission.files import REPORT_CONFIG_FILE

PROJECT = Path(__file__).resolve().parents[1]
REAL = PROJECT / "submissions" / "2015-action-04"


def read_responses(folder: Path) -> tuple[dict, list[dict]]:
    """A cycle's config and its responses in report order, as plain data, for the comparison programs."""
    config = yaml.safe_load((folder / REPORT_CONFIG_FILE).read_text(encoding="utf-8"))
    by_name = {}
    for path in folder.glob("*.yaml"):
        if path.name != REPORT_CONFIG_FILE:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            by_name[data["department"]] = data
    return config, [by_name[name] for name in config["departments"]]


def generate(multiplier: int, root: Path) -> str:
    """Write the cycle for `multiplier` under root; return its name."""
    cycle = f"bench-x{multiplier}"
    folder = root / cycle
    folder.mkdir(parents=True, exist_ok=True)
    config_text = (REAL / REPORT_CONFIG_FILE).read_text(encoding="utf-8")
    config = yaml.safe_load(config_text)
    files = {
        yaml.safe_load(path.read_text(encoding="utf-8"))["department"]: path.read_text(encoding="utf-8")
        for path in REAL.glob("*.yaml")
        if path.name != REPORT_CONFIG_FILE
    }
    names = []
    for copy in range(1, multiplier + 1):
        for name in config["departments"]:
            new_name = name if copy == 1 else f"{name} ({copy})"
            names.append(new_name)
            text = files[name].replace(f'department: "{name}"', f'department: "{new_name}"', 1)
            (folder / f"{slugify(new_name)}.yaml").write_text(text, encoding="utf-8")
    config["departments"] = names
    config["title"] = f"{config['title']} (benchmark ×{multiplier})"
    (folder / REPORT_CONFIG_FILE).write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return cycle


if __name__ == "__main__":
    print(generate(int(sys.argv[1]), Path(sys.argv[2])))
