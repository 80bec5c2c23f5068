"""What a process printed (the student's app, or pytest on its tests): its start and end kept, the middle dropped."""

from __future__ import annotations

import threading


class Output:
    """What a process printed: the start and the end kept, the middle dropped."""

    def __init__(self, head: int = 64 << 10, tail: int = 16 << 10):
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0
        self.head_size, self.tail_size = head, tail
        self.lock = threading.Lock()

    def add(self, data: bytes) -> None:
        with self.lock:
            room = self.head_size - len(self.head)
            self.head += data[:room]
            rest = data[room:]
            if rest:
                self.tail += rest
                if len(self.tail) > self.tail_size:
                    cut = len(self.tail) - self.tail_size
                    self.dropped += cut
                    del self.tail[:cut]

    def quote(self, limit: int = 300) -> str:
        """The end of what was printed, cut to `limit` characters with a note saying so ('' if nothing)."""
        text = self.text().strip()
        if not text:
            return ""
        if len(text) > limit:
            text = f"… ({len(text) - limit} earlier characters not shown)\n" + text[-limit:]
        return "\nyour app printed:\n" + "\n".join(f"  | {line}" for line in text.splitlines())

    def text(self) -> str:
        with self.lock:
            middle = f"\n… ({self.dropped} bytes not kept) …\n".encode() if self.dropped else b""
            return (bytes(self.head) + middle + bytes(self.tail)).decode("utf-8", "replace")
