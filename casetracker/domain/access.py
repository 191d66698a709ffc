"""One entry of the access log: a read of personal data, or a refusal, and who asked why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DENIED = "denied"  # the access-log action of every logged refusal, whatever was attempted


@dataclass(frozen=True)
class AccessEntry:
    position: int
    recorded: str
    user: str
    role: str
    action: str
    case_id: str
    justification: str
    detail: str
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)
