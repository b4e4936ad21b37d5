"""Back and forward through what was read, like a browser."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    """Visited dispatch ids; visiting after going back drops the forward trail."""

    back: list[int] = field(default_factory=list)
    forward: list[int] = field(default_factory=list)
    current: int | None = None

    def visit(self, dispatch_id: int) -> None:
        if self.current == dispatch_id:
            return
        if self.current is not None:
            self.back.append(self.current)
        self.current = dispatch_id
        self.forward.clear()

    def go_back(self) -> int | None:
        if not self.back:
            return None
        if self.current is not None:
            self.forward.append(self.current)
        self.current = self.back.pop()
        return self.current

    def go_forward(self) -> int | None:
        if not self.forward:
            return None
        if self.current is not None:
            self.back.append(self.current)
        self.current = self.forward.pop()
        return self.current
