"""The plain-text README of an export folder: what it is, how to handle it, how to check it with
`supervise verify` or with standard tools alone (bash, coreutils, OpenSSL 3).

Each check is a block between a `PASTE` line and an `END` line, written to be pasted into bash
as it stands: commands start in the first column (a heredoc ends), nothing calls `exit` (it would
close the reader's terminal), no `!` (history expansion), and every block prints `PASS:` or
`FAIL:` lines. tests/test_bundle_readme.py runs the blocks taken from this text."""

from typing import Any

PASTE, END = "---- PASTE INTO BASH FROM HERE ----", "---- TO HERE ----"
OPTIONAL = "(needs python3)"

_TEMPLATE = r"""SUPERVISION RECORDS: REVIEW EXPORT
Private and Confidential. <<organisation>>

This folder holds supervision records exported from `supervise` by <<exporter>>
at <<exported_at>>.
Scope: <<scope>>

THIS FOLDER IS NOT ENCRYPTED. It holds personal data about children and staff.
Keep it on encrypted storage, share it only by a secure route, and delete it when
the review no longer needs it.

WHAT IS HERE
  00-index.docx          cover, scope, contents and chronology (with gaps)
  YYYY-MM-DD-TYPE-N.docx one file per record: a contract, session or decision record,
                         with its signatures and amendments
  manifest.json          every file's SHA-256; every record's digest, its header, the
                         parts included (in full) and the parts omitted (digest and
                         reason); every signature with its public key; the store's
                         audit chain head; who exported, when, with which filters
  manifest.sig           the exporter's Ed25519 signature over manifest.json
  <<file_list>>  the manifest's list of files as `sha256sum` writes it, in the
                         manifest's order; manifest.json holds its SHA-256
  keys/*.pem             public keys of the signers and of the exporter
  signatures/*.json      the exact statement each signature signs
  signatures/*.sig       the raw Ed25519 signature over that statement
  SHA256SUMS             the SHA-256 of every other file

Where a record's part is omitted (another child's discussion, a personal-support
section), the record shows a remark in its place, and the manifest keeps that part's
digest so the record's digest, and so every signature, can still be checked.

HOW TO CHECK IT WITH SUPERVISE (no store or passphrase needed)
  supervise verify THIS-FOLDER
Exit code 0: every file, digest and signature checks, and it lists every key by the
person it is tied to: confirm each fingerprint with the organisation. Exit code 4: it
lists each problem (a manifest signed with another key than the exporter's own
signatures here is one).

HOW TO CHECK IT WITH STANDARD TOOLS (bash, coreutils, OpenSSL 3)
Open a terminal in this folder (cd THIS-FOLDER). Paste each block below, from its
PASTE line to its TO HERE line (those two lines are not commands; pasting them too
only prints "command not found"). Each check prints PASS or FAIL lines. The export
is intact only if checks 1 to 6 all print PASS and none prints FAIL; a FAIL means a
file was changed, removed or added after export: do not rely on the folder, and ask
the organisation for a fresh export.

1. The manifest was signed by the exporter, with the key this README names.
<<paste>>
if openssl pkeyutl -verify -pubin -inkey <<exporter_key>> -rawin \
     -in manifest.json -sigfile manifest.sig >/dev/null
then echo "PASS: manifest.json carries the exporter's signature"
else echo "FAIL: manifest.json does not match its signature (manifest.sig)"
fi
fp=$(openssl pkey -pubin -in <<exporter_key>> -outform DER | tail -c 32 | sha256sum | cut -c 1-64)
if [ "$fp" = "<<exporter_fingerprint>>" ]
then echo "PASS: the exporter's key has fingerprint $fp"
else echo "FAIL: the exporter's key is not the one this README names"
fi
own=0; same=0
for s in signatures/*.json; do
  [ -e "$s" ] || continue
  t=$(cat "$s")
  case "$t" in
    *'"method":"key"'*'"signer":{"id":<<exporter_id>>,'*|*'"witness":{"id":<<exporter_id>>,'*)
      own=$((own+1))
      case "$t" in *'"key":"<<exporter_fingerprint>>"'*) same=$((same+1)) ;; esac ;;
  esac
done
if [ "$own" -eq 0 ]
then echo "NOTE: the exporter signed no record here; only the fingerprint ties the key to them"
elif [ "$same" -gt 0 ]
then echo "PASS: the exporter's own signatures here are made with the same key"
else echo "FAIL: the exporter's own signatures here are made with another key"
fi
<<end>>
   Pass: three PASS lines, or two and a NOTE. Fail: a FAIL line (openssl may also
   print an error). The third line holds the manifest's key against the exporter's
   own signatures on records here (a FAIL: someone signed the manifest again with a
   key of their own, or the exporter's key was replaced since; ask the organisation).
   Then confirm the fingerprint with the organisation by another route (telephone,
   letter): it is
     <<exporter_fingerprint>>
   and, for each signature, the key its statement (signatures/*.json, "key") names.

2. The list of files is the one the signed manifest names.
<<paste>>
h=$(sha256sum < <<file_list>> | cut -c 1-64)
case "$(cat manifest.json)" in
  *"\"file_list_sha256\": \"$h\""*) echo "PASS: <<file_list>> is the manifest's list of files" ;;
  *) echo "FAIL: <<file_list>> was changed or replaced: manifest.json does not name its SHA-256" ;;
esac
<<end>>
   Pass: one PASS line. Fail: a FAIL line.

3. Every file the manifest lists is here and unchanged.
<<paste>>
if sha256sum -c --quiet <<file_list>>
then echo "PASS: every file the manifest lists is here and unchanged"
else echo "FAIL: the files named above were changed or removed"
fi
<<end>>
   Pass: one PASS line. Fail: sha256sum names each file ("FAILED", or "FAILED open
   or read" for a removed file), then a FAIL line.

4. SHA256SUMS agrees with the manifest (a SHA256SUMS made again after a change, or
   missing a removed file's line, does not).
<<paste>>
if sha256sum -c --quiet SHA256SUMS
then echo "PASS: every file in SHA256SUMS is unchanged"
else echo "FAIL: the files named above do not match SHA256SUMS"
fi
d=$(LC_ALL=C comm -3 <(LC_ALL=C sort SHA256SUMS) \
      <({ sha256sum manifest.json manifest.sig <<file_list>>; cat <<file_list>>; } | LC_ALL=C sort))
if [ -z "$d" ]
then echo "PASS: SHA256SUMS lists exactly the manifest's files"
else echo "FAIL: SHA256SUMS does not match the manifest; these lines differ:"; echo "$d"
fi
<<end>>
   Pass: two PASS lines. Fail: a FAIL line, and the lines that differ (a line
   indented by a tab is what the manifest says, one not indented is SHA256SUMS).

5. No file was added.
<<paste>>
d=$(shopt -s globstar dotglob nullglob
    LC_ALL=C comm -23 \
      <(for f in **; do if [ -h "$f" ] || [ -f "$f" ]; then echo "$f"; fi; done | LC_ALL=C sort) \
      <({ cut -c 67- <<file_list>>; echo SHA256SUMS; echo manifest.json; echo manifest.sig
          echo <<file_list>>; } | LC_ALL=C sort))
if [ -z "$d" ]
then echo "PASS: no file was added"
else echo "FAIL: not part of the export (added after it was made):"; echo "$d"
fi
<<end>>
   Pass: one PASS line. Fail: a FAIL line and the name of each file added.

6. Each signature over a record, with the key its statement names (a typed
   signature carries the key of the person who witnessed it).
<<paste>>
for s in signatures/*.json; do
  [ -e "$s" ] || continue
  k=none; [[ $(cat "$s") =~ \"key\":\"([0-9a-f]{64})\" ]] && k=${BASH_REMATCH[1]}
  fp=$(openssl pkey -pubin -in "keys/${k:0:16}.pem" -outform DER 2>/dev/null | tail -c 32 |
       sha256sum | cut -c 1-64)
  if [ "$fp" = "$k" ] && openssl pkeyutl -verify -pubin -inkey "keys/${k:0:16}.pem" -rawin \
       -in "$s" -sigfile "${s%.json}.sig" >/dev/null 2>&1
  then echo "PASS: $s, signed with key $k"
  else echo "FAIL: $s does not verify with the key it names"
  fi
done
<<end>>
   Pass: a PASS line for each statement (<<signatures>> in this export). Fail: a FAIL
   line naming the statement. A removed signature leaves no line here: checks 3
   and 4 catch it. Each statement (NAME.json) names the record, its digest, the
   signer, role, method, time and comment; the digest is the record's digest in
   manifest.json, which check 7 recomputes from the record's content.

7. Optional <<optional>>: each record's digest, from its included parts and the
   digests of its omitted parts and sentences, and each signature names that digest.
   The digest is SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8) of the
   header and the parts' digests; a part's digest is over its canonical JSON, or, in
   a record whose header says "canonical": 2 or 3, over the part with each text
   replaced by ["sentences", the digest of each of its sentences...]. From version 3
   a sentence's digest is over ["sentence", its salt, the sentence]; the part's
   "salts" give the salt of each sentence shown (none for one left out, which
   therefore cannot be confirmed by guessing it).
<<paste>>
python3 - <<'EOF'
import hashlib, json, re
def c(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
def h(v):
    return hashlib.sha256(c(v)).hexdigest()
END = re.compile("[.\x21?\u2026]+[\"'\u201d\u2019)\\]]*\\s+|\n+")
def cut(text):
    ends = [0] + [e.end() for e in END.finditer(text)]
    return [text[a:b] for a, b in zip(ends, ends[1:] + [len(text)]) if a < b]
def sealed(v, known, path=()):
    if path in known:
        return ["sentences", *known[path]]
    if isinstance(v, str):
        return ["sentences", *map(h, cut(v))]
    if isinstance(v, dict):
        return {k: sealed(x, known, path + (k,)) for k, x in v.items()}
    if isinstance(v, list):
        return [sealed(x, known, path + (i,)) for i, x in enumerate(v)]
    return v
def at(v, path):
    for step in path:
        v = v[step]
    return v
def part(p, version):
    if not p["included"]:
        return p["digest"]
    if version < 2:
        return h(p["content"])
    if version >= 3:
        known = {}
        for t, salts in p.get("salts") or []:
            v = at(p["content"], t)
            pieces = cut(v) if isinstance(v, str) else v
            if len(pieces) != len(salts):
                return "salts do not fit"
            known[tuple(t)] = [h(["sentence", s, x]) if isinstance(x, str) else x["digest"]
                               for x, s in zip(pieces, salts)]
        return h(sealed(p["content"], known))
    known = {tuple(t): [h(s) if isinstance(s, str) else s["digest"]
                        for s in at(p["content"], t)] for t in p.get("trimmed") or []}
    return h(sealed(p["content"], known))
m = json.load(open("manifest.json", encoding="utf-8"))
for r in m["records"]:
    version = r["header"].get("canonical", 1)
    d = h({"header": r["header"], "parts": [part(p, version) for p in r["parts"]]})
    named = all(s["digest"] == d for s in r["signatures"])
    print("PASS:" if d == r["digest"] and named else "FAIL:", r["record"])
EOF
<<end>>
   Pass: a PASS line for each record. Fail: a FAIL line naming the record.

The store's audit chain head at the time of export was event <<head_seq>>, hash
  <<head_hash>>
The organisation can confirm from its store that this export was recorded in its
audit trail with the manifest's SHA-256 (`supervise audit log`).
"""


def readme_text(manifest: dict[str, Any], file_list: str) -> str:
    """The README for `manifest` (with its records), whose list of files is named `file_list`."""
    exporter, head = manifest["exported_by"], manifest["audit_chain_head"]
    signatures = sum(len(record["signatures"]) for record in manifest["records"])
    values = {"organisation": manifest["organisation"], "exporter": exporter["name"],
              "exported_at": manifest["exported_at"], "scope": manifest["scope"]["description"],
              "exporter_key": exporter["key_file"], "exporter_fingerprint": exporter["fingerprint"],
              "exporter_id": int(exporter["id"]),  # an int: it goes into the commands
              "head_seq": head["seq"], "head_hash": head["hash"], "file_list": file_list,
              "signatures": signatures, "paste": PASTE, "end": END, "optional": OPTIONAL}
    text = _TEMPLATE
    for key, value in values.items():
        text = text.replace(f"<<{key}>>", str(value))
    return text
