"""Area units: m², 公顷 (ha) and 亩 (1 亩 = 10000/15 m²)."""

from __future__ import annotations

M2_PER_HA = 10_000.0
MU_PER_M2 = 15.0 / 10_000.0  # exact: 1 m² = 0.0015 亩


def m2_to_ha(m2: float) -> float:
    return m2 / M2_PER_HA


def m2_to_mu(m2: float) -> float:
    return m2 * MU_PER_M2


def area_block(planar_m2: float, ellipsoidal_m2: float) -> dict:
    """The area record used throughout the JSON result."""
    return {
        "planar_m2": planar_m2,
        "planar_ha": m2_to_ha(planar_m2),
        "planar_mu": m2_to_mu(planar_m2),
        "ellipsoidal_m2": ellipsoidal_m2,
        "ellipsoidal_ha": m2_to_ha(ellipsoidal_m2),
        "ellipsoidal_mu": m2_to_mu(ellipsoidal_m2),
    }


def fmt_area(m2: float) -> str:
    """'12,345.67 m² / 1.2346 公顷 / 18.52 亩' for summaries."""
    return f"{m2:,.2f} m² / {m2_to_ha(m2):,.4f} 公顷 / {m2_to_mu(m2):,.2f} 亩"
