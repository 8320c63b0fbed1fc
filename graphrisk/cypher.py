"""The Cypher library: every statement graphrisk runs lives in ``cypher/`` and is loaded by name.

Names are paths below ``cypher/`` without the ``.cypher`` suffix, e.g.
``"schema"`` or ``"load/node_person"``. The directory is found beside the
package (a source checkout or editable install) or inside it (a wheel, where
it is packed as ``graphrisk/_cypher``), never relative to the working directory.

>>> "MERGE (n:Person" in cypher_text("load/node_person")
True
>>> len(statements("schema")) > 10
True

The module also holds the guard on Cypher that analysts write (``graphrisk cypher`` and the
named query library): :func:`tokenize` splits Cypher into tokens the way the server does
(comments dropped; string literals, backtick-quoted names and ``$parameters`` kept whole), and
:func:`check_read_only` refuses, before anything is sent, every query that does more than read
the graph: ``LOAD CSV``, administration commands, writes, ``CALL {...} IN TRANSACTIONS``,
``USE`` of another database and procedures off :data:`ALLOWED_PROCEDURES`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graphrisk.errors import QueryError, QueryRefusedError, UsageError, WriteRefusedError

__all__ = [
    "ALLOWED_PROCEDURES",
    "Token",
    "check_read_only",
    "cypher_dir",
    "cypher_text",
    "expand_fragments",
    "parameters_used",
    "query_names",
    "statements",
    "tokenize",
]

_COMMENT_RE = re.compile(r"//[^\n]*")


@cache
def cypher_dir() -> Path:
    """The directory holding the ``.cypher`` files."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_cypher", package.parent / "cypher"):
        if (candidate / "schema.cypher").is_file():
            return candidate
    raise FileNotFoundError("the cypher/ directory is missing from this installation of graphrisk")


@cache
def cypher_text(name: str) -> str:
    """The text of the Cypher file called ``name`` (e.g. ``"load/node_person"``), its fragments
    expanded (:func:`expand_fragments`)."""
    path = cypher_dir() / f"{name}.cypher"
    if not path.is_file():
        raise UsageError(f"no Cypher statement named {name!r} (looked for {path})")
    text = path.read_text(encoding="utf-8")
    if not strip_comments(text).strip():
        raise UsageError(f"the Cypher file {name!r} holds no statement")
    return expand_fragments(text, f"cypher/{name}.cypher")


#: ``{{name}}`` in a library file stands for ``cypher/fragments/<name>.cypher``.
_FRAGMENT_RE = re.compile(r"\{\{([a-z0-9-]+)\}\}")


def expand_fragments(text: str, where: str = "the statement", _seen: tuple[str, ...] = ()) -> str:
    """``text`` with each ``{{name}}`` replaced by the fragment ``cypher/fragments/<name>.cypher``.

    A fragment is a piece of a statement that several rules share word for word (whether an
    assignment is active on the day of a look-up, whether the cited case justifies a look-up of a
    person, what a target resolves to), kept once so that the rules cannot drift apart. It uses
    the variable names its header lists, which the including statement binds. Its comments are
    dropped, its lines indented as the placeholder's line is; fragments may include fragments.

    >>> expand_fragments("WHERE {{assigned-on-the-day}}")
    'WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)'
    """

    def one(match: re.Match) -> str:
        name = match.group(1)
        path = cypher_dir() / "fragments" / f"{name}.cypher"
        if name in _seen or not path.is_file():
            why = "includes itself" if name in _seen else f"is not a fragment (looked for {path})"
            raise UsageError(f"{where}: {{{{{name}}}}} {why}")
        body = strip_comments(path.read_text(encoding="utf-8")).strip()
        body = expand_fragments(body, f"cypher/fragments/{name}.cypher", (*_seen, name))
        line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        indent = line[: len(line) - len(line.lstrip())]
        return body.replace("\n", "\n" + indent)

    return _FRAGMENT_RE.sub(one, text)


def strip_comments(text: str) -> str:
    """Cypher text without ``//`` line comments (our files keep no ``//`` inside strings)."""
    return _COMMENT_RE.sub("", text)


def statements(name: str) -> list[str]:
    """The ``;``-separated statements of a file, comments removed, empty ones dropped."""
    body = strip_comments(cypher_text(name))
    return [s.strip() for s in body.split(";") if s.strip()]


def parameters_used(text: str) -> set[str]:
    r"""The ``$parameters`` a statement uses (not a ``$`` inside a string or a comment).

    >>> sorted(parameters_used("MATCH (p {id: $id}) // $not_this\nRETURN '$nor_this', $`odd name`"))
    ['id', 'odd name']
    """
    return {t.text for t in tokenize(text) if t.kind == "param"}


def query_names(prefix: str = "") -> list[str]:
    """Names of all Cypher files below ``prefix`` (e.g. ``"load/"``), sorted."""
    root = cypher_dir()
    return sorted(
        p.relative_to(root).with_suffix("").as_posix()
        for p in root.rglob("*.cypher")
        if p.relative_to(root).as_posix().startswith(prefix)
    )


# --- the tokenizer --------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One token of Cypher text.

    ``kind`` is ``word`` (an unquoted name or keyword), ``name`` (a backtick-quoted name,
    ``text`` without the backticks), ``string`` (``text`` is the literal as written, quotes
    included), ``number``, ``param`` (``text`` is the name without ``$``) or ``punct`` (one
    symbol, or ``..``). ``line`` and ``column`` count from 1.
    """

    kind: str
    text: str
    line: int
    column: int

    @property
    def keyword(self) -> str:
        """A word as the keyword it could be: upper case, compatibility forms folded; empty if no word.

        Folding is wider than the server's (a full-width ``ＬＯＡＤ`` counts as ``LOAD`` here), so the
        guard errs on the side of refusing.

        >>> Token("word", "Load", 1, 1).keyword, Token("word", "ＬＯＡＤ", 1, 1).keyword
        ('LOAD', 'LOAD')
        >>> Token("name", "LOAD", 1, 1).keyword
        ''
        """
        if self.kind != "word":
            return ""
        return unicodedata.normalize("NFKC", self.text).casefold().upper()

    @property
    def where(self) -> str:
        return f"line {self.line}, column {self.column}"


#: Where a ``//`` comment ends: every line break Python knows (the server ends one at ``\n`` and
#: ``\r``); ending early can only make the guard see more, never less.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_NUMBER_RE = re.compile(
    r"0[xX][0-9a-fA-F_]+|0o[0-7_]+|(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?"
)


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; comments and white space are dropped.

    Raises :class:`QueryError` for a string, backtick name or ``/*`` comment that is not closed
    (the server would refuse it too, and the guard cannot tell what follows).

    >>> [(t.kind, t.text) for t in tokenize("MATCH (n:`My Label`) // note\\nRETURN 'it\\\\'s' /* x */, $p")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('word', 'MATCH'), ('punct', '('), ('word', 'n'), ('punct', ':'), ('name', 'My Label'),
     ('punct', ')'), ('word', 'RETURN'), ('string', "'it\\\\'s'"), ('punct', ','), ('param', 'p')]
    >>> tokenize("RETURN 'open")
    Traceback (most recent call last):
    ...
    graphrisk.errors.QueryError: a string that starts at line 1, column 8 is not closed
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    line, line_start = 1, 0

    def position(at: int) -> tuple[int, int]:
        return line, at - line_start + 1

    while i < n:
        ch = text[i]
        if ch in _LINE_BREAKS:
            # \r\n is one break
            i += 2 if text.startswith("\r\n", i) else 1
            line, line_start = line + 1, i
            continue
        if ch.isspace():
            i += 1
            continue
        start = position(i)
        if text.startswith("//", i):
            while i < n and text[i] not in _LINE_BREAKS:
                i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise QueryError(
                    f"a /* comment that starts at line {start[0]}, column {start[1]} is not closed"
                )
            for j in range(i, end):  # keep counting lines inside the comment
                if text[j] in _LINE_BREAKS and not text.startswith("\r\n", j):
                    line, line_start = line + 1, j + 1
            i = end + 2
            continue
        if ch in "'\"":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise QueryError(f"a string that starts at line {start[0]}, column {start[1]} is not closed")
            tokens.append(Token("string", text[i : j + 1], *start))
            i = j + 1
            continue
        if ch == "`":
            name, j = _backticked(text, i)
            if j < 0:
                raise QueryError(f"a `name` that starts at line {start[0]}, column {start[1]} is not closed")
            tokens.append(Token("name", name, *start))
            i = j
            continue
        if ch == "$":
            j = i + 1
            if j < n and text[j] == "`":
                name, j = _backticked(text, j)
                if j < 0:
                    raise QueryError(
                        f"a $`parameter` that starts at line {start[0]}, column {start[1]} is not closed"
                    )
            else:
                while j < n and _word_char(text[j]):
                    j += 1
                name = text[i + 1 : j]
            tokens.append(Token("param", name, *start) if name else Token("punct", "$", *start))
            i = max(j, i + 1)
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            number = _NUMBER_RE.match(text, i)
            tokens.append(Token("number", number.group(), *start))
            i = number.end()
            continue
        if _word_char(ch):
            j = i
            while j < n and _word_char(text[j]):
                j += 1
            tokens.append(Token("word", text[i:j], *start))
            i = j
            continue
        if text.startswith("..", i):
            tokens.append(Token("punct", "..", *start))
            i += 2
            continue
        tokens.append(Token("punct", ch, *start))
        i += 1
    return tokens


def _backticked(text: str, i: int) -> tuple[str, int]:
    """The name in backticks at ``text[i]`` (a doubled backtick is one) and the index after it."""
    out = []
    j = i + 1
    while j < len(text):
        if text[j] == "`":
            if text.startswith("``", j):
                out.append("`")
                j += 2
                continue
            return "".join(out), j + 1
        out.append(text[j])
        j += 1
    return "", -1


# --- the read-only guard --------------------------------------------------------------------

#: Procedures an analyst may CALL: the schema of the graph, nothing about the server. Names are
#: compared without regard to case (the server then requires its own spelling). apoc and gds are
#: not installed in graphrisk's servers; a site that installs them keeps them off this list,
#: because both hold procedures that read files and URLs, write, or run Cypher text of their own.
ALLOWED_PROCEDURES: tuple[str, ...] = (
    "db.labels",
    "db.relationshipTypes",
    "db.propertyKeys",
    "db.schema.visualization",
    "db.schema.nodeTypeProperties",
    "db.schema.relTypeProperties",
)
_ALLOWED_PROCEDURES = frozenset(p.casefold() for p in ALLOWED_PROCEDURES)

#: The clauses a query may start with (the server's list for Neo4j 5, less the ones that write or
#: administer); the pre-parser's EXPLAIN, PROFILE and CYPHER options may come before them.
READ_STARTS = frozenset({"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL", "FINISH",
                         "ORDER", "SKIP", "OFFSET", "LIMIT"})  # fmt: skip
#: Clauses that write; the server refuses them in a read transaction too, this names them first.
WRITES = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH",
                    "INSERT"})  # fmt: skip
#: Words that begin an administration command; refused wherever they stand as a keyword.
ADMIN = frozenset({"SHOW", "TERMINATE", "DROP", "ALTER", "GRANT", "DENY", "REVOKE", "RENAME",
                   "DEALLOCATE", "REALLOCATE", "DRYRUN"})  # fmt: skip
#: Administration words that are also common names (``start``, ``stop``): refused where a
#: statement or subquery begins, the only place the server reads them as commands.
ADMIN_AT_START = frozenset({"START", "STOP", "ENABLE"})
#: What each further refused keyword does, for the message.
OTHER_REFUSED = {
    "LOAD": "LOAD CSV reads files and URLs from the database server",
    "USE": "USE switches to another database (or the system database)",
    "TRANSACTIONS": "CALL { ... } IN TRANSACTIONS commits in batches of its own",
    "TRANSACTION": "CALL { ... } IN TRANSACTIONS commits in batches of its own",
    "PERIODIC": "USING PERIODIC COMMIT commits in batches of its own",
}
_OBJECTS = frozenset({"USER", "USERS", "ROLE", "ROLES", "DATABASE", "DATABASES", "ALIAS", "INDEX",
                      "CONSTRAINT", "COMPOSITE", "SERVER", "OR", "RANGE", "TEXT", "POINT",
                      "FULLTEXT", "LOOKUP", "VECTOR", "BTREE", "IF"})  # fmt: skip
_PREAMBLE = frozenset({"EXPLAIN", "PROFILE"})


def check_read_only(text: str, tag: str = "ad-hoc") -> None:
    """Refuse ``text`` unless it is one query that only reads the graph; send nothing if refused.

    Raises :class:`WriteRefusedError` for a clause that writes, :class:`QueryRefusedError` for
    anything else that is more than a read (``LOAD CSV``, administration, ``USE``, batched
    commits, a procedure off :data:`ALLOWED_PROCEDURES`, several statements) and
    :class:`QueryError` for text that cannot be tokenized. A word in a string literal, a comment,
    backticks or after a dot (a property) is never a keyword; one refused by mistake as a name
    can be written in backticks.

    >>> check_read_only("MATCH (n) WHERE n.note = 'LOAD CSV' RETURN n /* SHOW USERS */")
    >>> check_read_only("CALL { MATCH (n) RETURN n } CALL db.labels() YIELD label RETURN n, label")
    >>> check_read_only("load csv from 'file:///etc/passwd' as row return row")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphrisk.errors.QueryRefusedError: ad-hoc: refused, nothing was sent: LOAD CSV reads files and URLs ...
    >>> check_read_only("CALL dbms.listConfig()")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphrisk.errors.QueryRefusedError: ad-hoc: refused, nothing was sent: CALL dbms.listConfig (line 1, ...
    >>> check_read_only("MATCH (n) DETACH DELETE n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphrisk.errors.WriteRefusedError: ad-hoc: this query tries to write (DETACH at line 1, column 11), ...
    """
    try:
        tokens = tokenize(text)
    except QueryError as exc:
        raise QueryError(f"{tag}: {exc}") from None
    body = _one_statement(tokens, tag)
    if not body:
        raise QueryRefusedError(f"{tag}: the query is empty")
    first = _skip_preamble(body)
    if first >= len(body):
        raise QueryRefusedError(f"{tag}: the query has only EXPLAIN, PROFILE or CYPHER options, no clause")
    starts = {first} | {i for i in range(1, len(body)) if _subquery_start(body, i)}
    for i, tok in enumerate(body):
        if tok.kind != "word" or _is_name(body, i):
            continue
        word = tok.keyword
        if word in WRITES and not (word == "CREATE" and _next_keyword(body, i) in _OBJECTS):
            refused = WriteRefusedError(
                f"{tag}: this query tries to write ({word} at {tok.where}), and only read-only "
                "queries are allowed here; nothing was sent and nothing was changed"
            )
            refused.clause = word
            raise refused
        if (
            word in ADMIN
            or word == "CREATE"
            or (word in ADMIN_AT_START and i in starts and not _is_map_key(body, i))
        ):
            what = word if _as_name(body, i) else f"{word} {body[i + 1].keyword}"
            raise _refused(tag, f"{what} is an administration command", body, i)
        if word in OTHER_REFUSED:
            raise _refused(tag, OTHER_REFUSED[word], body, i)
        if word == "CALL":
            _check_call(body, i, tag)
    for i in sorted(starts):
        tok = body[i]
        if i == first and tok.keyword in READ_STARTS:
            continue
        if i != first and (tok.kind != "word" or tok.keyword in READ_STARTS or _is_map_key(body, i)):
            continue  # inside braces: a map, a pattern (COUNT { (n)--() }) or a read subquery
        raise _refused(
            tag, f"a query that starts with {tok.text} does not read the graph", body, i,
            hint=f"a query starts with one of {', '.join(sorted(READ_STARTS))}",
        )  # fmt: skip


def _one_statement(tokens: list[Token], tag: str) -> list[Token]:
    parts: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.kind == "punct" and tok.text == ";":
            parts.append([])
        else:
            parts[-1].append(tok)
    parts = [p for p in parts if p]
    if len(parts) > 1:
        second = parts[1][0]
        raise QueryRefusedError(
            f"{tag}: refused, nothing was sent: one statement at a time (a second one starts at "
            f"{second.where})"
        )
    return parts[0] if parts else []


def _skip_preamble(body: list[Token]) -> int:
    """Index of the first token after EXPLAIN, PROFILE and ``CYPHER [version] [key=value ...]``."""
    i = 0
    while i < len(body):
        word = body[i].keyword
        if word in _PREAMBLE:
            i += 1
        elif word == "CYPHER":
            i += 1
            if i < len(body) and body[i].kind == "number":
                i += 1
            while i + 2 < len(body) and body[i].kind == "word" and body[i + 1].text == "=":
                i += 3
        else:
            break
    return i


def _subquery_start(body: list[Token], i: int) -> bool:
    """Whether a subquery could begin at ``i``: after ``{`` (a map's keys are told apart later) or
    after ``UNION``, ``UNION ALL`` or ``UNION DISTINCT``."""
    before = body[i - 1]
    if before.kind == "punct" and before.text == "{":
        return True
    if before.keyword == "UNION":
        return body[i].keyword not in ("ALL", "DISTINCT")
    return before.keyword in ("ALL", "DISTINCT") and i >= 2 and body[i - 2].keyword == "UNION"


def _next_keyword(body: list[Token], i: int) -> str:
    return body[i + 1].keyword if i + 1 < len(body) else ""


def _is_name(body: list[Token], i: int) -> bool:
    """A word after ``.`` (a property or a procedure's namespace) or ``$`` is never a keyword."""
    return i > 0 and body[i - 1].kind == "punct" and body[i - 1].text in (".", "$")


def _is_map_key(body: list[Token], i: int) -> bool:
    """A word after ``{`` followed by ``:``, ``,``, ``}`` or ``=`` is a map key, a projection or a
    path name, not a clause."""
    return i + 1 < len(body) and body[i + 1].kind == "punct" and body[i + 1].text in (":", ",", "}", "=")


#: Words that follow a name, not an administration keyword (``WITH 1 AS show RETURN show``).
_CLAUSE_WORDS = READ_STARTS | WRITES | {"WHERE", "AS", "YIELD", "UNION", "AND", "OR", "XOR", "IS", "IN"}


def _as_name(body: list[Token], i: int) -> bool:
    """Whether the word at ``i`` stands alone, as a name would (no keyword-like word after it)."""
    return not (i + 1 < len(body) and body[i + 1].kind == "word" and body[i + 1].keyword not in _CLAUSE_WORDS)


def _check_call(body: list[Token], i: int, tag: str) -> None:
    """``CALL {`` and ``CALL (vars) {`` are subqueries (checked like the rest); ``CALL name`` must be
    a procedure of the allow-list."""
    nxt = body[i + 1] if i + 1 < len(body) else None
    if nxt is None:
        raise _refused(tag, "CALL of nothing", body, i)
    if nxt.kind == "punct" and nxt.text in ("{", "("):
        return
    parts = []
    j = i + 1
    while j < len(body) and body[j].kind in ("word", "name"):
        parts.append(body[j].text)
        if j + 1 < len(body) and body[j + 1].kind == "punct" and body[j + 1].text == ".":
            j += 2
        else:
            break
    name = ".".join(parts)
    if not parts or name.casefold() not in _ALLOWED_PROCEDURES:
        shown = name or nxt.text
        raise QueryRefusedError(
            f"{tag}: refused, nothing was sent: CALL {shown} ({body[i].where}): procedures allowed "
            f"here: {', '.join(ALLOWED_PROCEDURES)}"
        )


def _refused(tag: str, what: str, body: list[Token], i: int, hint: str | None = None) -> QueryRefusedError:
    tok = body[i]
    hint = hint or "only queries that read the graph are allowed here"
    if tok.kind == "word" and _as_name(body, i):
        # on its own, the word may be meant as a name (a variable called `show`)
        hint += f"; if {tok.text} is a name here, write it in backticks: `{tok.text}`"
    return QueryRefusedError(f"{tag}: refused, nothing was sent: {what} ({tok.where}); {hint}")
