"""The plain-text README of an export folder: what it is, how to handle it, how to check it with
`supervise verify` or with standard tools alone (sha256sum, openssl, python3)."""

from typing import Any

_TEMPLATE = """\
SUPERVISION RECORDS: REVIEW EXPORT
Private and Confidential. {organisation}

This folder holds supervision records exported from `supervise` by {exporter}
at {exported_at}.
Scope: {scope}

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
  keys/*.pem             public keys of the signers and of the exporter
  signatures/*.json      the exact statement each signature signs
  signatures/*.sig       the raw Ed25519 signature over that statement
  SHA256SUMS             the SHA-256 of every other file

Where a record's part is omitted (another child's discussion, a personal-support
section), the record shows a remark in its place, and the manifest keeps that part's
digest so the record's digest, and so every signature, can still be checked.

HOW TO CHECK IT WITH SUPERVISE (no store or passphrase needed)
  supervise verify THIS-FOLDER
Exit code 0: every file, digest and signature checks. Exit code 4: it lists each
problem.

HOW TO CHECK IT WITH STANDARD TOOLS
1. Every file is unchanged:
     sha256sum -c SHA256SUMS
2. The manifest was signed by the exporter:
     openssl pkeyutl -verify -pubin -inkey {exporter_key} -rawin \\
       -in manifest.json -sigfile manifest.sig
   prints "Signature Verified Successfully". The exporter's key fingerprint is
     {exporter_fingerprint}
   Confirm it with the organisation by another route (telephone, letter); it is
     openssl pkey -pubin -in {exporter_key} -outform DER | tail -c 32 | sha256sum
   Then check that each line of SHA256SUMS matches the "files" list in manifest.json.
3. Each signature over a record: for every pair of files in signatures/,
     openssl pkeyutl -verify -pubin -inkey keys/KEY.pem -rawin \\
       -in signatures/NAME.json -sigfile signatures/NAME.sig
   where KEY.pem is the signature's "key_file" in manifest.json. The statement
   (NAME.json) names the record, its digest, the signer, role, method, time and
   comment.
4. Each record's digest, from its included parts and the digests of its omitted
   parts (the digest is SHA-256 over canonical JSON: sorted keys, no spaces, UTF-8):
     python3 - <<'EOF'
     import hashlib, json
     def c(v):
         return json.dumps(v, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode()
     m = json.load(open("manifest.json", encoding="utf-8"))
     for r in m["records"]:
         ds = [hashlib.sha256(c(p["content"])).hexdigest() if p["included"]
               else p["digest"] for p in r["parts"]]
         d = hashlib.sha256(c({{"header": r["header"], "parts": ds}})).hexdigest()
         print(r["record"], "ok" if d == r["digest"] else "DIGEST MISMATCH")
     EOF
   and each signature's statement names that same digest.

The store's audit chain head at the time of export was event {head_seq}, hash
  {head_hash}
The organisation can confirm from its store that this export was recorded in its
audit trail with the manifest's SHA-256 (`supervise audit log`).
"""


def readme_text(manifest: dict[str, Any]) -> str:
    exporter, head = manifest["exported_by"], manifest["audit_chain_head"]
    return _TEMPLATE.format(
        organisation=manifest["organisation"], exporter=exporter["name"],
        exported_at=manifest["exported_at"], scope=manifest["scope"]["description"],
        exporter_key=exporter["key_file"], exporter_fingerprint=exporter["fingerprint"],
        head_seq=head["seq"], head_hash=head["hash"])
