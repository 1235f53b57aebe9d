"""What a store write is given: the transaction, the moment and who acts. The application's
unit of work is one; `Stamp` is one for callers outside it (the demo's simulated clock, tests)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class Writing(Protocol):
    @property
    def session(self) -> Any: ...  # the transaction (sqlmodel.Session)

    @property
    def now(self) -> datetime: ...

    @property
    def actor(self) -> str: ...


@dataclass(frozen=True)
class Stamp:
    session: Any
    now: datetime
    actor: str
