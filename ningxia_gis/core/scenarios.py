"""Training scenarios shipped with the sample layers (sample_layers/scenarios.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import SCENARIOS
from ..domain.errors import InputError


@dataclass
class Scenario:
    id: str
    title_zh: str
    title_en: str
    footprint: Path
    activity: str
    facts: dict = field(default_factory=dict)


def load_scenarios(path: Path = SCENARIOS) -> list[Scenario]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for s in data.get("scenario", []):
        out.append(Scenario(id=s["id"], title_zh=s["title_zh"], title_en=s["title_en"],
                            footprint=(Path(path).parent / s["footprint"]).resolve(),
                            activity=s["activity"], facts=dict(s.get("facts", {}))))
    return out


def find_scenario(name: str) -> Scenario:
    scenarios = load_scenarios()
    for s in scenarios:
        if s.id == name:
            return s
    raise InputError("scenario.unknown", name=name, known=", ".join(s.id for s in scenarios))
