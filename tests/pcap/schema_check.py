#!/usr/bin/env python3
"""tests/pcap/schema_check.py: every JSON document ednsprobe writes against
its JSON Schema (docs/schema/, draft 2020-12), with python3-jsonschema.

  schema_check.py report FILE...       reports (path, analyze, compliance,
                                       resolver, zone: --json, -o FILE)
  schema_check.py survey-line FILE...  survey output: JSON Lines, each line
  schema_check.py auto FILE...         either, by content: a file whose
                                       first object has "type" is lines
  schema_check.py suite EDNSPROBE      the pcap test (ctest pcap_json_schema):
                                       the self test, the catalogue, every
                                       JSON fixture under tests/, and
                                       `ednsprobe analyze --json` of every
                                       capture in pcaps/
  schema_check.py self-test            the self test and the catalogue only

Every failure names the file (and line), the place in the document and the
validator's message; the exit status is 1 when any document fails, 2 on a
usage error.
"""
import copy
import json
import os
import re
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    # tests/setup.sh installs python3-jsonschema; under CI its absence is
    # a failure, elsewhere a skip (77, as the lab tests without root).
    print("schema_check: python3-jsonschema is missing (apt-get install "
          "python3-jsonschema)", file=sys.stderr)
    sys.exit(1 if os.environ.get("CI") == "true" else 77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SCHEMAS = os.path.join(TOP, "docs", "schema")
KINDS = {"report": "report.schema.json",
         "survey-line": "survey-line.schema.json"}


def load_schemas():
    """The validators by kind, with every schema of docs/schema known by
    its $id, so that survey-line's references to report resolve offline
    (jsonschema 4.18+ through referencing, older ones (Debian 12's 4.10)
    through RefResolver's store)."""
    docs = {}
    for name in sorted(os.listdir(SCHEMAS)):
        if name.endswith(".schema.json"):
            with open(os.path.join(SCHEMAS, name)) as f:
                docs[name] = json.load(f)
    cls = jsonschema.Draft202012Validator
    for doc in docs.values():
        cls.check_schema(doc)
    validators = {}
    try:
        import referencing
        import referencing.jsonschema
        registry = referencing.Registry().with_resources(
            (d["$id"], referencing.Resource.from_contents(
                d, default_specification=referencing.jsonschema.DRAFT202012))
            for d in docs.values())
        for kind, name in KINDS.items():
            validators[kind] = cls(docs[name], registry=registry)
    except ImportError:
        store = {d["$id"]: d for d in docs.values()}
        for kind, name in KINDS.items():
            resolver = jsonschema.RefResolver.from_schema(docs[name],
                                                          store=store)
            validators[kind] = cls(docs[name], resolver=resolver)
    return validators, docs


def errors(validator, doc):
    """The validator's messages for doc, each with where it points."""
    out = []
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
        where = "".join("[%d]" % p if isinstance(p, int) else "." + p
                        for p in e.absolute_path) or "(top)"
        msg = e.message if len(e.message) < 200 else e.message[:200] + "..."
        out.append("%s: %s (schema %s)" % (where, msg,
                   "/".join(str(p) for p in e.absolute_schema_path)))
    return out


def documents(path, kind):
    """(label, document, kind) of each document in path: a survey file
    gives one per line."""
    with open(path) as f:
        text = f.read()
    if kind == "auto":
        first = text.lstrip()[:1]
        kind = "report"
        if first == "{":
            try:
                head = json.loads(text)
            except ValueError:
                head = json.loads(text.splitlines()[0])
            if isinstance(head, dict) and "type" in head:
                kind = "survey-line"
    if kind == "survey-line":
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield "%s:%d" % (path, n), json.loads(line), kind
    else:
        yield path, json.loads(text), kind


def check_files(validators, kind, paths):
    """Validates every document of paths; prints each failure; returns
    the count of documents and of failures."""
    n = bad = 0
    for path in paths:
        try:
            docs = list(documents(path, kind))
        except (OSError, ValueError) as e:
            print("FAIL %s: not JSON: %s" % (path, e))
            n += 1
            bad += 1
            continue
        if not docs:
            print("FAIL %s: no JSON document in it" % path)
            n += 1
            bad += 1
        for label, doc, k in docs:
            n += 1
            errs = errors(validators[k], doc)
            if errs:
                bad += 1
                print("FAIL %s (%s):" % (label, k))
                for e in errs[:20]:
                    print("    " + e)
                if len(errs) > 20:
                    print("    ... %d more" % (len(errs) - 20))
    return n, bad


def catalogue():
    """The finding ids of include/ednsprobe/findings.h, in its order."""
    with open(os.path.join(TOP, "include", "ednsprobe", "findings.h")) as f:
        return re.findall(r"^\s*X\(([A-Z0-9_]+),", f.read(), re.M)


def self_test(validators, docs):
    """The schemas agree with the catalogue, accept sound documents and
    reject mutated ones; returns the count of failed checks."""
    fails = 0

    def expect(what, ok):
        nonlocal fails
        print("  %s: %s" % ("ok" if ok else "FAIL", what))
        fails += not ok

    ids = catalogue()
    enum = docs["report.schema.json"]["$defs"]["finding_id"]["enum"]
    expect("finding_id enum is findings.h's catalogue (%d ids)" % len(ids),
           ids == enum and len(ids) > 0)
    if ids != enum:
        print("    only in findings.h: %s" % sorted(set(ids) - set(enum)))
        print("    only in the schema: %s" % sorted(set(enum) - set(ids)))

    # Every field a schema names is on docs/json.md, the human contract
    # (`name`, `name[]` or "name").
    with open(os.path.join(TOP, "docs", "json.md")) as f:
        md = f.read()
    names = set()

    def props(o):
        if isinstance(o, dict):
            if isinstance(o.get("properties"), dict):
                names.update(o["properties"])
            for v in o.values():
                props(v)
        elif isinstance(o, list):
            for v in o:
                props(v)
    props(list(docs.values()))
    undocumented = sorted(n for n in names if not any(
        w in md for w in ("`%s`" % n, "`%s[]`" % n, '"%s"' % n)))
    expect("every field of the schemas is in docs/json.md (%d names)%s" % (
        len(names), ": not " + ", ".join(undocumented) if undocumented
        else ""), not undocumented)

    with open(os.path.join(HERE, "golden", "clean-v4.json")) as f:
        good = json.load(f)
    rep = validators["report"]
    expect("a golden report is valid", not errors(rep, good))

    def mutant(what, change, want, kind="report", base=None):
        """doc changed by change must fail, with a message holding want
        (so it fails for the reason meant)."""
        doc = copy.deepcopy(good if base is None else base)
        change(doc)
        errs = [e for e in errors(validators[kind], doc) if want in e]
        expect("rejected: %s (%s)" % (what, errs[0] if errs else
               "accepted, or not for '%s'" % want), bool(errs))

    t0 = lambda d: d["targets"][0]
    p0 = lambda d: d["targets"][0]["probes"][0]
    mutant("schema 2", lambda d: d.update(schema=2),
           "1 was expected")
    mutant("a wrong type: family \"4\"", lambda d: t0(d).update(family="4"),
           "'4' is not one of")
    mutant("a wrong type: duration_ms 1.5",
           lambda d: d.update(duration_ms=1.5),
           "is not of type 'integer'")
    mutant("an unknown field at the top", lambda d: d.update(verbose=True),
           "'verbose' was unexpected")
    mutant("an unknown field in a probe", lambda d: p0(d).update(bogus=1),
           "'bogus' was unexpected")
    mutant("an unknown field in path",
           lambda d: t0(d)["path"].update(mtu=1500),
           "'mtu' was unexpected")
    mutant("a missing required field: path.tcp",
           lambda d: t0(d)["path"].pop("tcp"),
           "'tcp' is a required property")
    mutant("a missing required field: targets[0].resume",
           lambda d: t0(d).pop("resume"),
           "'resume' is a required property")
    mutant("an unknown outcome", lambda d: p0(d).update(outcome="lost"),
           "'lost' is not one of")
    mutant("an unknown finding id", lambda d: t0(d)["findings"].append(
        {"id": "NOT_A_FINDING", "severity": "error", "summary": "x",
         "evidence": {"probes": [], "frames": []}, "advice": ""}),
        "'NOT_A_FINDING' is not one of")
    mutant("an unknown severity", lambda d: t0(d)["findings"].append(
        {"id": "TCP_RESET", "severity": "fatal", "summary": "x",
         "evidence": {"probes": [], "frames": []}, "advice": ""}),
        "'fatal' is not one of")
    mutant("a TCP field on a UDP probe",
           lambda d: p0(d).update(connected=True),
           "False schema does not allow True")
    mutant("a reply fact without a reply", lambda d: p0(d).update(
        outcome="timeout"), "is not of type 'null'")

    # Survey lines: a target line is a targets[] entry after its own.
    line = {"type": "target", "schema": 1, "line": 1,
            "started": "2026-12-07T13:13:48.123Z",
            "finished": "2026-12-07T13:13:49.001Z", "duration_ms": 878,
            "budget_exceeded": False}
    line.update(copy.deepcopy(good["targets"][0]))
    summary = {"type": "summary", "schema": 1}
    summary.update({k: copy.deepcopy(v) for k, v in good.items()
                    if k not in ("schema", "targets")})
    summary.update({"lines": 2, "targets": 1, "clean": 1,
                    "with_findings": 0, "findings": {"DROP_HOP": 1},
                    "budget_exceeded": 0, "cut": 0, "list_done": True,
                    "bad_lines": 1, "duplicates": 0, "resumed": 0,
                    "other_family": 0, "packets": 40, "rate": 20,
                    "rate_used": 0.5, "targets_per_minute": 60.0})
    sv = validators["survey-line"]
    expect("a target line is valid", not errors(sv, line))
    expect("a summary line is valid", not errors(sv, summary))
    mutant("a target line without line",
           lambda d: d.pop("line"),
           "'line' is a required property", "survey-line", line)
    mutant("a target line with an unknown field",
           lambda d: d.update(extra=1),
           "'extra' was unexpected", "survey-line", line)
    mutant("a target line with a bad probe",
           lambda d: d["probes"][0].update(kind="sctp"),
           "'sctp' is not one of", "survey-line", line)
    mutant("a summary line counting an unknown finding",
           lambda d: d["findings"].update(NOPE=1),
           "'NOPE' is not one of", "survey-line", summary)
    mutant("a summary line with a target's field",
           lambda d: d.update(probes=[]),
           "'probes' was unexpected", "survey-line", summary)
    mutant("a line of no known type",
           lambda d: d.update(type="header"),
           "'header' is not one of", "survey-line", summary)
    return fails


def testlist_args():
    """analyze's options per capture, from tests/pcap/TESTLIST."""
    args = {}
    with open(os.path.join(HERE, "TESTLIST")) as f:
        for line in f:
            w = line.split()
            if w and not w[0].startswith("#") and len(w) >= 2:
                args.setdefault(w[1], w[2:])
    return args


def suite(validators, docs, binary):
    fails = 0
    try:
        from importlib.metadata import version
        v = version("jsonschema")
    except Exception:  # pylint: disable=broad-except
        v = "?"
    print("jsonschema %s (%s), draft 2020-12, schemas in %s" % (
        v, sys.executable, SCHEMAS))
    print("self test:")
    fails += self_test(validators, docs)

    fixtures = []
    for root, _, files in os.walk(os.path.join(TOP, "tests")):
        fixtures += [os.path.join(root, f) for f in files
                     if f.endswith(".json") or f.endswith(".jsonl")]
    fixtures.sort()
    n, bad = check_files(validators, "auto", fixtures)
    print("fixtures: %d documents in %d files, %d invalid" % (
        n, len(fixtures), bad))
    fails += bad

    args = testlist_args()
    pcaps = sorted(f for f in os.listdir(os.path.join(TOP, "pcaps"))
                   if re.search(r"\.pcap(ng)?$", f))
    n = bad = 0
    for name in pcaps:
        cmd = [binary, "analyze", "--json"] + args.get(name, []) + [
            os.path.join(TOP, "pcaps", name)]
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        n += 1
        try:
            doc = json.loads(r.stdout)
        except ValueError as e:
            print("FAIL %s: exit %d, no JSON (%s): %s" % (
                " ".join(cmd), r.returncode, e,
                r.stderr.decode(errors="replace")[:300]))
            bad += 1
            continue
        errs = errors(validators["report"], doc)
        if errs:
            bad += 1
            print("FAIL %s:" % " ".join(cmd))
            for e in errs[:20]:
                print("    " + e)
    print("analyze --json: %d captures, %d invalid" % (n, bad))
    fails += bad
    fails += live_runs(validators, binary)
    return fails


def live_runs(validators, binary):
    """The documents only a live run writes (survey lines, a live path and
    compliance report), from runs against 127.0.0.1 port 9, where nothing
    listens: no traffic leaves the host, no root needed (--no-pcap
    --no-raw), a second or so each.  The lab validates the same against
    real servers (tests/lab/lib.sh json_valid)."""
    import tempfile
    fails = 0
    quick = ["-p", "9", "--no-pcap", "--no-raw", "--timeout", "1"]
    with tempfile.TemporaryDirectory(prefix="ep-schema.") as tmp:
        listf = os.path.join(tmp, "list.txt")
        with open(listf, "w") as f:
            # a target, a bad line and a duplicate: the summary counts
            f.write("127.0.0.1 .\nnot-an-address\n127.0.0.1 .\n"
                    "127.0.0.1 probe.test SOA\n")
        runs = [("survey-line", ["survey"] + quick + [listf]),
                ("report", ["path", "--json"] + quick + ["@127.0.0.1", "."]),
                ("report", ["compliance", "--json"] + quick +
                 ["@127.0.0.1", "."])]
        for kind, args in runs:
            out = os.path.join(tmp, "out.json")
            with open(out, "wb") as f:
                r = subprocess.run([binary] + args, stdout=f,
                                   stderr=subprocess.PIPE, timeout=60)
            label = "ednsprobe " + " ".join(args)
            n, bad = check_files(validators, kind, [out])
            if os.path.getsize(out) == 0:
                print("FAIL %s: exit %d, no output: %s" % (
                    label, r.returncode,
                    r.stderr.decode(errors="replace")[:300]))
                bad = 1
            print("%s %s: %d documents, %d invalid" % (
                "FAIL" if bad else "ok", label, n, bad))
            fails += bad
    return fails


def main(argv):
    if len(argv) < 2 or argv[1] not in ("report", "survey-line", "auto",
                                         "suite", "self-test"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    validators, docs = load_schemas()
    mode = argv[1]
    if mode == "suite":
        if len(argv) != 3:
            print("usage: schema_check.py suite EDNSPROBE", file=sys.stderr)
            return 2
        fails = suite(validators, docs, argv[2])
    elif mode == "self-test":
        fails = self_test(validators, docs)
    else:
        if len(argv) < 3:
            print("usage: schema_check.py %s FILE..." % mode,
                  file=sys.stderr)
            return 2
        fails = check_files(validators, mode, argv[2:])[1]
    print("schema_check: %s" % ("FAILED" if fails else "ok"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
