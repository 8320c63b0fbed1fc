"""Redaction: employee ids become pseudonyms, and people's names and birth dates are hidden.

One :class:`Redactor` per command, applied at each kind of output's choke point
rather than at each print:

- text (terminal, HTML): :meth:`Redactor.text` replaces every token that is an
  employee id with its pseudonym, and every token that is an employee's own person
  id with ``PSEUDONYM/person`` (the person record would name the employee);
- structured values (JSON, Cypher rows, node properties): :meth:`Redactor.value`
  walks dicts and lists, hides the properties :data:`HIDDEN_KEYS` names, the
  properties of Person nodes in :data:`PERSON_KEYS`, and strings that are a known
  person's name, and applies :meth:`text` to every other string;
- frames (score and findings files, query results): :meth:`Redactor.frame`;
- graphs (explore, export, paths, dossiers): :meth:`Redactor.graph` renames the
  nodes and redacts their attributes.

A token is a run of the characters ids are made of (letters, digits, ``_`` and
``-``), so ``Employee:E000012``, ``E000012|2026-03-02T...`` (a shift) and a sentence
ending in ``E000012.`` are all caught, while ``E0000123`` is not ``E000012``.

A revealed command gets no redactor at all (``None``): graphrisk shows what it
read. Callers use :func:`apply` and friends, which accept ``None``.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar

import pandas as pd

from graphrisk.privacy.pseudonyms import PseudonymMap, normalise_pseudonym

__all__ = ["HIDDEN", "HIDDEN_KEYS", "PERSON_KEYS", "Redactor", "activated", "active", "hide_person_props"]

#: what a hidden value shows
HIDDEN = "[hidden]"
#: properties and columns hidden wherever they appear (a birth date is never evidence)
HIDDEN_KEYS = ("birth",)
#: properties of a Person node hidden (the name); other nodes' names (units, organisations) stay
PERSON_KEYS = ("name", "birth_date")
PERSON_SUFFIX = "/person"
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
#: :meth:`Redactor.text` remembers texts up to this long, at most this many of them.
_MEMO_LONGEST = 200
_MEMO_MOST = 100_000


@functools.lru_cache(maxsize=4096)
def _hidden_key(key: str) -> bool:
    last = key.rsplit(".", 1)[-1].lower()
    return any(h in last for h in HIDDEN_KEYS)


class Redactor:
    """Pseudonyms for ``names``' employees, with their own person ids, and hidden person names.

    >>> from graphrisk.privacy.pseudonyms import PseudonymMap
    >>> r = Redactor(PseudonymMap(bytes(32), ["E1"]), {"P1": "E1"}, {"Anna de Vries"})
    >>> r.text("Employee:E1 looked up Person:P1 and E10.")
    'Employee:EMP-DBBE-54CD-012E looked up Person:EMP-DBBE-54CD-012E/person and E10.'
    >>> r.value({"labels": ["Person"], "properties": {"name": "Anna de Vries", "person_id": "P2"}})
    {'labels': ['Person'], 'properties': {'name': '[hidden]', 'person_id': 'P2'}}
    >>> r.value(["Anna de Vries", "E1|2026-03-02", {"e.birth_date": "1985-04-12"}])
    ['[hidden]', 'EMP-DBBE-54CD-012E|2026-03-02', {'e.birth_date': '[hidden]'}]
    """

    def __init__(
        self,
        names: PseudonymMap,
        employee_persons: Mapping[str, str] | None = None,
        person_names: Iterable[str] = (),
    ) -> None:
        self.names = names
        self._tokens: dict[str, str] = {}
        self._texts: dict[str, str] = {}  # text -> redacted, shared by copies (same tokens)
        for person_id, employee_id in (employee_persons or {}).items():
            self._tokens[person_id] = names.pseudonym(employee_id) + PERSON_SUFFIX
        for employee_id in names.ids():
            self._tokens[employee_id] = names.pseudonym(employee_id)
        self.person_names = {n for n in person_names if isinstance(n, str) and n.strip()}

    def add_person_names(self, names: Iterable[str]) -> None:
        self.person_names.update(n for n in names if isinstance(n, str) and n.strip())

    # -- text ------------------------------------------------------------------------------------

    def text(self, text: str) -> str:
        """``text`` with every employee id (and employee's person id) token pseudonymised."""
        if not self._tokens:
            return text
        found = self._texts.get(text)
        if found is None:
            found = _TOKEN.sub(lambda m: self._tokens.get(m.group(0), m.group(0)), text)
            if len(text) <= _MEMO_LONGEST and len(self._texts) < _MEMO_MOST:
                self._texts[text] = found  # keys, labels and ids repeat in every row and dossier
        return found

    # -- values ----------------------------------------------------------------------------------

    def value(self, value, key: str | None = None, *, person: bool = False):
        """A plain value (str, number, list, dict, None) with identities redacted."""
        if key is not None and (_hidden_key(key) or (person and key in PERSON_KEYS)):
            return HIDDEN if value is not None else None
        if isinstance(value, str):
            if value in self.person_names:
                return HIDDEN
            return self.text(value)
        if isinstance(value, dict):
            is_person = person or _is_person_node(value)
            return {
                self.text(str(k)): self.value(
                    v, str(k), person=is_person and k not in ("labels", "relationships", "nodes")
                )
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` with every text cell and column name redacted (see :meth:`value`)."""
        out = frame.copy()
        for column in out.columns:
            name = str(column)
            col = out[column]
            if _hidden_key(name):
                out[column] = col.map(lambda v: HIDDEN if _present(v) else v).astype(object)
                continue
            if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
                out[column] = col.map(lambda v: self.value(v) if isinstance(v, str | dict | list) else v)
        out.columns = [self.text(str(c)) for c in out.columns]
        return out

    # -- graphs ----------------------------------------------------------------------------------

    def graph(self, graph):
        """A copy of a networkx graph with node ids, keys, labels and properties redacted.

        A Person node loses its name and birth date (its display label is rebuilt from
        the redacted key), every other attribute goes through :meth:`value`.
        """
        from graphrisk.analyst.values import display_name

        mapping = {n: self.text(str(n)) for n in graph.nodes}
        out = graph.__class__()
        out.graph.update(self.value(dict(graph.graph)))
        for n, data in graph.nodes(data=True):
            person = data.get("type") == "Person"
            attrs = {k: self.value(v, k, person=person) for k, v in data.items()}
            if person:
                props = {k: v for k, v in attrs.items() if v != HIDDEN}
                attrs["label"] = display_name("Person", attrs.get("key", ""), props)
            out.add_node(mapping[n], **attrs)
        if graph.is_multigraph():
            for a, b, k, data in graph.edges(keys=True, data=True):
                out.add_edge(
                    mapping[a], mapping[b], key=k, **{k2: self.value(v, k2) for k2, v in data.items()}
                )
        else:
            for a, b, data in graph.edges(data=True):
                out.add_edge(mapping[a], mapping[b], **{k2: self.value(v, k2) for k2, v in data.items()})
        return out

    # -- the way back ----------------------------------------------------------------------------

    def unredact_ids(self, values: pd.Series) -> pd.Series:
        """Pseudonyms in ``values`` (a file read back, e.g. a scores file) as employee ids."""
        return values.map(lambda v: self.names.known(v) or v if isinstance(v, str) else v)

    def resolve_node(self, text: str) -> str:
        """A node argument (``EMP-…``, ``Employee:EMP-…``, ``EMP-…/person``) as the id it stands for."""
        return resolve_node(self.names, self._person_of(), text)

    def _person_of(self) -> dict[str, str]:
        return {v[: -len(PERSON_SUFFIX)]: k for k, v in self._tokens.items() if v.endswith(PERSON_SUFFIX)}


def resolve_node(names: PseudonymMap, person_of: Mapping[str, str], text: str) -> str:
    """``text`` with a pseudonym in it replaced by the id it stands for (else unchanged).

    ``person_of`` maps pseudonyms to the employee's own person id, for ``EMP-…/person``.
    An unknown pseudonym is a UsageError (from :meth:`PseudonymMap.resolve`).
    """
    label, sep, key = text.partition(":")
    if not sep:
        label, key = "", text
    core = key.strip()
    suffix = ""
    if core.lower().endswith(PERSON_SUFFIX):
        core, suffix = core[: -len(PERSON_SUFFIX)], PERSON_SUFFIX
    alias = normalise_pseudonym(core)
    if alias is None:
        return text
    employee_id = names.resolve(alias)
    if suffix:
        person = person_of.get(alias)
        if person is None:
            from graphrisk.errors import UsageError

            raise UsageError(f"{text!r}: no own person record is known for {alias}")
        resolved = person
        label = label or "Person"
    else:
        resolved = employee_id
    return f"{label}:{resolved}" if label else resolved


def _is_person_node(value: dict) -> bool:
    labels = value.get("labels")
    return (isinstance(labels, list) and "Person" in labels) or value.get("type") == "Person"


def _present(v) -> bool:
    try:
        return not pd.isna(v)
    except (TypeError, ValueError):
        return True


def apply_text(redactor: Redactor | None, text: str) -> str:
    return text if redactor is None else redactor.text(text)


def apply_value(redactor: Redactor | None, value):
    return value if redactor is None else redactor.value(value)


def apply_frame(redactor: Redactor | None, frame: pd.DataFrame) -> pd.DataFrame:
    return frame if redactor is None else redactor.frame(frame)


def apply_graph(redactor: Redactor | None, graph):
    return graph if redactor is None else redactor.graph(graph)


#: The redactor of the command being run (None: nothing to redact, or revealed). The output
#: choke points (the terminal, output files, graph files, HTML pages, the graph source) read it,
#: so that no print or writer can forget it; the browser workspace will set it per request.
_ACTIVE: ContextVar[Redactor | None] = ContextVar("graphrisk_redactor", default=None)


def active() -> Redactor | None:
    return _ACTIVE.get()


@contextlib.contextmanager
def activated(redactor: Redactor | None) -> Iterator[Redactor | None]:
    token = _ACTIVE.set(redactor)
    try:
        yield redactor
    finally:
        _ACTIVE.reset(token)


def hide_person_props(label: str, props: dict) -> dict:
    """A node's properties without what names a person (Person name, any birth date)."""
    return {
        k: v for k, v in props.items() if not _hidden_key(k) and not (label == "Person" and k in PERSON_KEYS)
    }
