"""The offence categories the case tracker records, and the groups the report's rules use.

One vocabulary serves the arrest, the conviction and the ACRO result, so the High Harm criteria
(fn 8) and the Home Office Serious Offence List (¶4.32, fn 19) can be checked against any of them.
"""

from __future__ import annotations

OFFENCE_CATEGORIES: tuple[str, ...] = (
    "murder_or_manslaughter",
    "gbh",
    "other_violence",
    "human_trafficking",
    "sexual_offence",
    "firearm",
    "knife",
    "other_weapon",
    "robbery",
    "burglary",
    "drugs_possession",
    "drugs_supply",
    "theft",
    "fraud_or_forgery",
    "fare_evasion",
    "public_order",
    "immigration_offence",
    "other",
)

OFFENCE_LABELS: dict[str, str] = {
    "murder_or_manslaughter": "murder or manslaughter",
    "gbh": "grievous bodily harm",
    "other_violence": "other violence against the person",
    "human_trafficking": "human trafficking",
    "sexual_offence": "sexual offence",
    "firearm": "firearm offence",
    "knife": "knife offence",
    "other_weapon": "other weapon offence",
    "robbery": "robbery",
    "burglary": "burglary",
    "drugs_possession": "drug possession",
    "drugs_supply": "drug supply",
    "theft": "theft",
    "fraud_or_forgery": "fraud or forgery (e.g. a false instrument)",
    "fare_evasion": "fare evasion",
    "public_order": "public order offence",
    "immigration_offence": "immigration offence (overstaying, illegal entry)",
    "other": "other offence",
}


def label(category: str) -> str:
    """Readable name of a category; an unknown one is shown as given."""
    return OFFENCE_LABELS.get(category, category)


def unknown_categories(categories: list[str] | tuple[str, ...]) -> list[str]:
    """Entries that are not in the vocabulary (free-text lists need checking)."""
    return [c for c in categories if c not in OFFENCE_CATEGORIES]
