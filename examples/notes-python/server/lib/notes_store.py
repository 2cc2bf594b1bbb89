"""An in-memory note store: the domain logic of the notes example, kept apart from the protocol."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Note:
    id: int
    title: str
    body: str
    tags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "body": self.body, "tags": list(self.tags)}


class NoteStore:
    """Notes live for the life of the process; ids count up from 1."""

    def __init__(self, max_notes: int = 1000) -> None:
        self._notes: list[Note] = []
        self._next_id = 1
        self._max_notes = max_notes

    def add(self, title: str, body: str, tags: list[str] | None = None) -> Note:
        if not title.strip():
            raise ValueError("title must not be empty")
        if len(self._notes) >= self._max_notes:
            raise ValueError(f"the store holds at most {self._max_notes} notes")
        note = Note(self._next_id, title.strip(), body, sorted(set(tags or [])))
        self._next_id += 1
        self._notes.append(note)
        return note

    def list(self, tag: str | None = None) -> list[Note]:
        return [n for n in self._notes if tag is None or tag in n.tags]

    def search(self, query: str) -> list[Note]:
        q = query.casefold()
        return [n for n in self._notes if q in n.title.casefold() or q in n.body.casefold()]
