"""Privacy and accountability (issue 12): pseudonyms, the key, roles, reveal, the audit log.

Every test works in the temporary key, access and log paths that the autouse
fixture of conftest.py sets; none reads or writes the real home.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import stat
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from click.testing import CliRunner
from reliability import covers

from graphrisk import privacy
from graphrisk.cli import main
from graphrisk.errors import AccessDeniedError, PrivacyError, UsageError
from graphrisk.privacy import pseudonyms as pseudonyms_module
from graphrisk.privacy.access import (
    ACTIONS,
    ROLE_ACTIONS,
    ROLES,
    AccessFile,
    add_user,
    remove_user,
    verify_password,
)
from graphrisk.privacy.audit import AuditLog, Head
from graphrisk.privacy.files import PrivacyPaths
from graphrisk.privacy.pseudonyms import (
    PseudonymMap,
    create_key,
    load_key,
    normalise_pseudonym,
    pseudonym,
)

KEY = bytes(range(32))
PSEUDONYM = r"^EMP-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$"


def run(*args, user: str | None = None, input: str | None = None):
    env = {"GRAPHRISK_USER": user} if user else {}
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


@pytest.fixture
def paths() -> PrivacyPaths:
    return PrivacyPaths.from_env()


def _site(paths: PrivacyPaths, **roles: str) -> None:
    """A site with a key and users: the first given is added as the bootstrap admin's peer."""
    create_key(paths.key_file)
    add_user(paths.access_file, "root", "root", "admin", bootstrap=True)
    for name, role in roles.items():
        add_user(paths.access_file, "root", name, role)


def _session(paths: PrivacyPaths, user: str) -> privacy.Session:
    return privacy.Session(user, "osuser", paths)


# --- pseudonyms ---------------------------------------------------------------------------


def test_pseudonyms_are_stable_readable_and_depend_on_the_key():
    a = pseudonym(KEY, "E000429")
    assert a == pseudonym(KEY, "E000429")
    assert re.match(PSEUDONYM, a)
    assert pseudonym(bytes(32), "E000429") != a  # another site key: unrelated pseudonyms
    assert pseudonym(KEY, "E000430") != a
    ids = [f"E{i:06d}" for i in range(20_000)]
    assert len({pseudonym(KEY, e) for e in ids}) == len(ids)


def test_pseudonym_input_forms_are_normalised():
    a = pseudonym(KEY, "E1")
    assert normalise_pseudonym(a.lower()) == a
    assert normalise_pseudonym("  " + a.replace("-", "") + " ") == a
    for not_one in ("E000001", "EMP-12", "EMP-XXXX-0000-0000", ""):
        assert normalise_pseudonym(not_one) is None


@covers("unknown-pseudonym")
def test_resolver_maps_pseudonyms_back_case_insensitively():
    names = PseudonymMap(KEY, ["E1", "E2", "E3"])
    assert names.resolve(pseudonym(KEY, "E2").lower()) == "E2"
    assert names.resolve("E3") == "E3"  # an id passes through; the caller checks it exists
    mapped = names.series(pd.Series(["E1", None]))
    assert mapped[0] == pseudonym(KEY, "E1") and pd.isna(mapped[1])
    stranger = pseudonym(bytes(32), "E2")  # well formed, but from another key
    with pytest.raises(UsageError, match=f"no employee in the store has the pseudonym {stranger}"):
        names.resolve(stranger)


def test_a_collision_fails_loudly(monkeypatch):
    monkeypatch.setattr(pseudonyms_module, "pseudonym", lambda key, e: "EMP-0000-0000-0000")
    with pytest.raises(PrivacyError, match="two employees share the pseudonym EMP-0000-0000-0000"):
        PseudonymMap(KEY, ["E1", "E2"])


# --- the key ------------------------------------------------------------------------------


def test_key_file_and_folder_are_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        key = create_key(tmp_path / "new" / "site.key")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new" / "site.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert load_key(tmp_path / "new" / "site.key").secret == key.secret
    assert len(key.secret) == 32
    assert key.secret.hex() not in repr(key)


@covers("key-overwrite")
def test_keys_init_refuses_to_overwrite_unless_forced(paths):
    first = run("keys", "init", "--json")
    assert first.exit_code == 0, first.output
    key = paths.key_file.read_text().strip()
    again = run("keys", "init")
    assert again.exit_code == 6
    assert "already exists" in again.output and "changes every pseudonym" in again.output
    assert paths.key_file.read_text().strip() == key
    forced = run("keys", "init", "--force")
    assert forced.exit_code == 0
    assert paths.key_file.read_text().strip() != key
    assert "no longer match" in forced.output


def test_keys_init_makes_its_user_the_first_admin_and_never_prints_the_key(paths):
    result = run("keys", "init", "--json", user="carol")
    doc = json.loads(result.output)
    assert doc["first_admin"] == "carol"
    assert AccessFile.read(paths.access_file).role_of("carol") == "admin"
    secret = paths.key_file.read_text().strip()
    assert secret not in result.output
    assert secret not in paths.audit_log.read_text()
    assert stat.S_IMODE(paths.access_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.audit_log.stat().st_mode) == 0o600


def test_without_a_key_the_message_says_how_to_make_one(paths):
    with pytest.raises(PrivacyError, match="graphrisk keys init"):
        _session(paths, "ann").names(["E1"])
    paths.key_file.parent.mkdir(parents=True)
    paths.key_file.write_text("not a key\n")
    with pytest.raises(PrivacyError, match="is not a graphrisk site key"):
        load_key(paths.key_file)


def test_default_paths_are_in_the_home_outside_the_store(monkeypatch, tmp_path):
    for name in (
        "GRAPHRISK_KEY_FILE",
        "GRAPHRISK_ACCESS_FILE",
        "GRAPHRISK_AUDIT_LOG",
        "GRAPHRISK_AUDIT_HEAD",
    ):
        monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    p = PrivacyPaths.from_env()
    assert p.key_file == tmp_path / ".config/graphrisk/site.key"
    assert p.access_file == tmp_path / ".config/graphrisk/access.json"
    assert p.audit_head == tmp_path / ".config/graphrisk/audit-head.json"
    assert p.audit_log == tmp_path / ".local/state/graphrisk/audit.jsonl"


# --- users and roles ----------------------------------------------------------------------


def test_the_permission_table_names_only_known_roles_and_actions():
    assert set(ROLE_ACTIONS) == set(ROLES)
    for actions in ROLE_ACTIONS.values():
        assert actions <= set(ACTIONS)
    assert "reveal" not in ROLE_ACTIONS["batch"]
    assert ROLE_ACTIONS["auditor"] <= {"audit.read", "fairness"}  # no individual risk data
    assert {"users.manage", "keys.manage", "purge"} <= ROLE_ACTIONS["admin"]


@covers("role-refusals")
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_is_refused_what_it_may_not_do_and_the_refusal_is_logged(paths, role):
    _site(paths, someone=role)
    session = _session(paths, "someone")
    refused = [a for a in ACTIONS if a not in ROLE_ACTIONS[role]]
    assert refused
    for action in refused:
        with pytest.raises(AccessDeniedError) as caught, session.audited(f"try {action}", action=action):
            pytest.fail("the block must not run")
        message = str(caught.value)
        assert f"someone (role {role}) may not" in message and f"[{action}]" in message
    for action in ROLE_ACTIONS[role]:
        with session.audited(f"do {action}", action=action) as record:
            record.done(rows=1)
    entries = AuditLog(paths.audit_log, paths.audit_head).entries()
    outcomes = {e["command"]: e["outcome"] for e in entries}
    assert all(outcomes[f"try {a}"] == "refused" for a in refused)
    assert all(outcomes[f"do {a}"] == "ok" for a in ROLE_ACTIONS[role])


def test_role_refusals_on_the_command_line(paths):
    _site(paths, ann="analyst", bob="batch", aud="auditor", lia="liaison")
    assert run("audit", "show", user="ann").exit_code == 7
    assert run("audit", "verify", user="lia").exit_code == 7
    assert run("users", "add", "eve", "--role", "admin", user="bob").exit_code == 7
    refused = run("users", "list", user="aud")
    assert refused.exit_code == 7
    assert "aud (role auditor) may not add, change and remove users [users.manage]" in refused.output
    assert run("keys", "init", "--force", user="ann").exit_code == 7
    assert run("audit", "show", user="aud").exit_code == 0
    nobody = run("audit", "show", user="stranger")
    assert nobody.exit_code == 7 and "stranger has no role" in nobody.output


@covers("reveal-without-reason")
def test_reveal_needs_a_role_that_may_and_a_reason(paths):
    _site(paths, ann="analyst", bob="batch")
    analyst = _session(paths, "ann")
    for blank in (None, "", "   \n "):
        with pytest.raises(AccessDeniedError, match="a reveal needs a reason"):
            privacy.require_reveal(blank, "analyst")
        with (
            pytest.raises(AccessDeniedError),
            analyst.audited("explain", action="explain", reveal=True, reveal_reason=blank),
        ):
            pass
    with pytest.raises(AccessDeniedError, match=r"bob \(role batch\) may not show real identities"):
        privacy.require_reveal("VIK 2026-014", "batch", "bob")
    with analyst.audited("explain", action="explain", reveal_reason=" VIK 2026-014\ninterview ") as record:
        assert record.revealed
    entries = AuditLog(paths.audit_log, paths.audit_head).entries()
    assert [e["outcome"] for e in entries] == ["refused"] * 3 + ["ok"]
    assert entries[-1]["reveal_reason"] == "VIK 2026-014 interview"


def test_bootstrap_the_first_user_must_be_admin_and_the_last_admin_stays(paths):
    refused = run("users", "add", "ann", "--role", "analyst", user="root")
    assert refused.exit_code == 7 and "the first user must be an administrator" in refused.output
    assert not paths.access_file.exists()
    assert run("users", "add", "root", "--role", "admin", user="root").exit_code == 0
    assert run("users", "add", "ann", "--role", "analyst", user="root").exit_code == 0
    last = run("users", "remove", "root", user="root")
    assert last.exit_code == 2 and "last admin" in last.output
    assert run("users", "remove", "ann", user="root").exit_code == 0
    listed = json.loads(run("users", "list", "--json", user="root").output)
    assert [u["name"] for u in listed["users"]] == ["root"]
    with pytest.raises(UsageError, match="not a user name"):
        add_user(paths.access_file, "root", "a b", "analyst")
    with pytest.raises(UsageError, match="is not in the access file"):
        remove_user(paths.access_file, "root", "nobody")


def test_password_stdin_stores_only_a_slow_salted_hash(paths):
    _site(paths)
    result = run(
        "users", "add", "ann", "--role", "analyst", "--password-stdin", user="root", input="s3cret horse\n"
    )
    assert result.exit_code == 0, result.output
    text = paths.access_file.read_text()
    assert "s3cret" not in text
    stored = AccessFile.read(paths.access_file).users["ann"].password
    assert stored.startswith("$scrypt$ln=17,r=8,p=1$")
    assert verify_password("s3cret horse", stored) and not verify_password("s3cret hors", stored)
    assert "s3cret" not in paths.audit_log.read_text()
    empty = run("users", "add", "bob", "--role", "batch", "--password-stdin", user="root", input="\n")
    assert empty.exit_code == 2


def test_graphrisk_user_names_the_acting_user_and_the_log_keeps_the_os_user(paths, monkeypatch):
    _site(paths, aud="auditor")
    monkeypatch.setenv("GRAPHRISK_USER", "aud")
    session = privacy.current_session()
    assert session.user == "aud" and session.role == "auditor"
    with session.audited("audit show", action="audit.read"):
        pass
    entry = session.log.entries()[-1]
    assert entry["user"] == "aud" and entry["os_user"] == privacy.access.os_user()


# --- the audit log ------------------------------------------------------------------------


def _log(paths: PrivacyPaths, n: int = 6) -> AuditLog:
    log = AuditLog(paths.audit_log, paths.audit_head)
    for i in range(n):
        log.append(
            {"user": f"u{i % 2}", "command": "explain", "subjects": [pseudonym(KEY, f"E{i}")], "rows": i}
        )
    return log


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines(keepends=True)


def _verify_cli(paths: PrivacyPaths):
    _site(paths, aud="auditor")
    return run("audit", "verify", user="aud")


def test_an_intact_log_verifies_and_verifying_is_logged(paths):
    log = _log(paths)
    result = _verify_cli(paths)
    assert result.exit_code == 0, result.output
    assert "6 entries, chain intact" in result.output
    assert log.entries()[-1]["command"] == "audit verify"
    assert log.verify().ok and log.verify().entries == 7


def _edit_field(log):
    lines = _lines(log)
    lines[2] = lines[2].replace('"rows": 2', '"rows": 0')
    log.path.write_text("".join(lines))


def _edit_rehashed(log):
    entries = [json.loads(line) for line in _lines(log)]
    entries[2]["rows"] = 0
    prev = entries[1]["hash"]
    for entry in entries[2:]:
        entry["prev"] = prev
        entry["hash"] = privacy.audit.entry_hash(entry)
        prev = entry["hash"]
    log.path.write_text("".join(json.dumps(e) + "\n" for e in entries))


def _delete_line(log):
    lines = _lines(log)
    del lines[2]
    log.path.write_text("".join(lines))


def _swap_lines(log):
    lines = _lines(log)
    lines[2], lines[3] = lines[3], lines[2]
    log.path.write_text("".join(lines))


def _truncate_tail(log):
    log.path.write_text("".join(_lines(log)[:4]))


def _shorter_chain(log):
    # a fresh, self-consistent log of 3 entries put in place of the real one
    other = AuditLog(log.path.with_name("forged.jsonl"), log.path.with_name("forged-head.json"))
    for i in range(3):
        other.append({"user": "u0", "command": "stats", "rows": i})
    other.path.replace(log.path)


def _head_deleted(log):
    log.head_path.unlink()


TAMPERING = [
    pytest.param(_edit_field, 3, "does not match its hash", marks=covers("audit-edit-field"), id="edit"),
    pytest.param(_edit_rehashed, 6, "chain head", marks=covers("audit-edit-rehashed"), id="edit-rehashed"),
    pytest.param(
        _delete_line,
        3,
        "entry number 3 where 2 was expected: 1 entries before it were deleted",
        marks=covers("audit-delete-line"),
        id="delete",
    ),
    pytest.param(
        _swap_lines, 3, "entry number 3 where 2 was expected", marks=covers("audit-swap-lines"), id="swap"
    ),
    pytest.param(
        _truncate_tail, 5, "the last 2 were removed", marks=covers("audit-truncate-tail"), id="truncate"
    ),
    pytest.param(_shorter_chain, 4, "records 6", marks=covers("audit-shorter-chain"), id="shorter-chain"),
    pytest.param(
        _head_deleted, None, "chain head .* is missing", marks=covers("audit-head-deleted"), id="head-deleted"
    ),
]


@pytest.mark.parametrize(("tamper", "line", "message"), TAMPERING)
def test_each_kind_of_tampering_is_detected_and_named(paths, tamper, line, message):
    log = _log(paths)
    tamper(log)
    found = log.verify()
    assert not found.ok and found.line == line
    assert re.search(message, found.problem), found.problem
    result = _verify_cli(paths)
    assert result.exit_code == 8
    where = f"line {line}: " if line is not None else ""
    assert f"audit log {log.path} is broken: {where}" in result.output
    assert not log.verify().ok  # the verify command's own entry did not heal the chain


@covers("audit-append-after-tampering")
def test_appending_after_tampering_does_not_hide_it(paths):
    log = _log(paths)
    _delete_line(log)
    for _ in range(3):
        log.append({"user": "u0", "command": "stats"})
    found = log.verify()
    assert not found.ok and found.line == 3
    _head_deleted(log)
    log.append({"user": "u0", "command": "stats"})
    assert not log.verify().ok


@covers("audit-interrupted-append")
def test_an_entry_written_without_its_head_is_accepted_once(paths):
    log = _log(paths, 3)
    saved = paths.audit_head.read_bytes()
    log.append({"user": "u0", "command": "explain"})
    paths.audit_head.write_bytes(saved)  # as if killed between the entry and the head
    found = log.verify()
    assert found.ok and found.entries == 4 and "interrupted" in found.note
    log.append({"user": "u0", "command": "explain"})
    assert log.verify().ok and Head.read(paths.audit_head).entries == 5


def test_a_batch_written_without_its_head_is_accepted_but_not_after_a_deleted_head(paths):
    log = _log(paths, 3)
    saved = paths.audit_head.read_bytes()
    for _ in range(3):
        log.append({"user": "u0", "command": "explain"})
    paths.audit_head.write_bytes(saved)  # as if killed after a group of three, before the head
    found = log.verify()
    assert found.ok and found.entries == 6 and "the last 3 entries" in found.note
    log.append({"user": "u0", "command": "explain"})
    assert log.verify().ok and Head.read(paths.audit_head).entries == 7
    paths.audit_head.unlink()
    log.append({"user": "u0", "command": "explain"})
    assert not log.verify().ok  # a deleted head is not healed by adopting the whole log


def test_threads_appending_at_once_share_writes_and_keep_every_entry_in_order(paths, monkeypatch):
    import threading

    heads = []
    write = Head.write
    monkeypatch.setattr(Head, "write", lambda self, path: (heads.append(self), write(self, path)))
    log = AuditLog(paths.audit_log, paths.audit_head)
    n, start = 40, threading.Barrier(8)

    def appender(name: str) -> None:
        start.wait()
        for i in range(n):
            written = log.append({"user": name, "command": "serve.alerts", "rows": i})
            assert Head.read(paths.audit_head).entries > written["seq"]  # durable when it returns

    threads = [threading.Thread(target=appender, args=(f"t{k}",)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    found = log.verify()
    assert found.ok and found.entries == 8 * n
    entries = log.entries()
    for k in range(8):
        assert [e["rows"] for e in entries if e["user"] == f"t{k}"] == list(range(n))
    assert len(heads) < 8 * n  # some appends were committed together


def test_a_cut_last_line_is_reported(paths):
    log = _log(paths, 3)
    log.path.write_bytes(log.path.read_bytes()[:-10])
    found = log.verify()
    assert found.line == 3 and "incomplete" in found.problem


_APPENDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from graphrisk.privacy.audit import AuditLog
    log, head, start, name, n = sys.argv[1:]
    while not Path(start).exists():
        time.sleep(0.005)
    audit = AuditLog(Path(log), Path(head))
    for i in range(int(n)):
        audit.append({"user": name, "command": "explain", "rows": i})
    """
)


@covers("audit-concurrent-appends")
def test_two_processes_appending_at_once_keep_every_entry_and_the_chain(paths, tmp_path):
    start = tmp_path / "go"
    n = 200
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _APPENDER,
                str(paths.audit_log),
                str(paths.audit_head),
                str(start),
                name,
                str(n),
            ]
        )
        for name in ("p1", "p2")
    ]
    start.touch()  # both are waiting: they start appending together
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    log = AuditLog(paths.audit_log, paths.audit_head)
    found = log.verify()
    assert found.ok, found.problem
    assert found.entries == 2 * n
    entries = log.entries()
    for name in ("p1", "p2"):
        assert [e["rows"] for e in entries if e["user"] == name] == list(range(n))
    users = [e["user"] for e in entries]
    switches = sum(a != b for a, b in itertools.pairwise(users))
    assert switches > 1, "the two processes did not overlap; the test proves nothing"


def test_audit_show_filters_by_subject_user_and_time(paths):
    _site(paths, aud="auditor")
    log = AuditLog(paths.audit_log, paths.audit_head)
    a, b = pseudonym(load_key(paths.key_file), "E1"), pseudonym(load_key(paths.key_file), "E2")
    log.append(
        {
            "time": "2026-03-01T10:00:00+00:00",
            "user": "ann",
            "command": "explain",
            "subjects": [a],
            "reveal_reason": "VIK 2026-014",
            "rows": 3,
        }
    )
    log.append({"time": "2026-03-05T10:00:00+00:00", "user": "lia", "command": "paths", "subjects": [a, b]})
    log.append({"time": "2026-03-09T10:00:00+00:00", "user": "ann", "command": "report", "subjects": [b]})

    def shown(*args):
        result = run("audit", "show", "--json", *args, user="aud")
        assert result.exit_code == 0, result.output
        return [e["command"] for e in json.loads(result.output)["entries"] if e["command"] != "audit show"]

    assert shown("--subject", a.lower()) == ["explain", "paths"]
    assert shown("--subject", "E2") == ["paths", "report"]  # an id, turned into its pseudonym
    assert shown("--user", "ann") == ["explain", "report"]
    assert shown("--since", "2026-03-02") == ["paths", "report"]
    assert shown("--since", "2026-03-02", "--until", "2026-03-06") == ["paths"]
    text = run("audit", "show", "--subject", a, user="aud")
    assert "ann (no role)" in text.output  # the role recorded then (none here), not looked up again
    assert 'reason "VIK 2026-014"' in text.output and "lia" in text.output
    bad = run("audit", "show", "--since", "last week", user="aud")
    assert bad.exit_code == 2 and "--since 'last week'" in bad.output
    reads = [e for e in log.entries() if e["command"] == "audit show"]
    assert reads and all(e["user"] == "aud" and e["action"] == "audit.read" for e in reads)
    assert '"E2"' not in json.dumps(reads)  # the id asked for is logged as its pseudonym
    assert b in reads[1]["subjects"]


def test_audit_path_prints_where_the_log_is(paths):
    result = run("audit", "path")
    assert result.exit_code == 0 and result.output.strip() == str(paths.audit_log)


def test_audited_records_rows_subjects_and_errors(paths):
    _site(paths, ann="analyst")
    session = _session(paths, "ann")
    names = session.names(["E1", "E2"])
    with session.audited(
        "query", action="query", query="who-looked-up-person", params={"person_id": "P1"}
    ) as r:
        r.add_subjects(names.pseudonyms(["E1", "E2"]))
        r.done(rows=2)  # written before the result is shown
        assert session.log.entries()[-1]["rows"] == 2
    with pytest.raises(UsageError), session.audited("explain", action="explain") as r:
        raise UsageError("no employee E9")
    with (
        pytest.raises(ValueError, match="pseudonyms, not ids"),
        session.audited("explain", action="explain") as r,
    ):
        r.add_subjects(["E1"])
    entries = session.log.entries()
    assert entries[-3]["subjects"] == names.pseudonyms(["E1", "E2"])
    assert entries[-3]["query"] == "who-looked-up-person" and entries[-3]["key"] == privacy.pseudonyms.key_id(
        session.key
    )
    assert entries[-2]["outcome"] == "error: UsageError"
    assert "E9" not in json.dumps(entries[-2])  # the message (which names an id) is not logged
    assert session.log.verify().ok


def test_audit_subjects_are_kept_once_each_in_the_order_first_shown(paths):
    _site(paths, ann="analyst")
    session = _session(paths, "ann")
    names = session.names(["E1", "E2", "E3"])
    e1, e2, e3 = names.pseudonyms(["E1", "E2", "E3"])
    with session.audited("score", action="score") as r:
        r.add_subjects([e2, e1, e2])
        r.add_subjects([e1.lower(), e3, e2])  # a pseudonym in another form is the same subject
        r.done(rows=3)
    assert session.log.entries()[-1]["subjects"] == [e2, e1, e3]
