"""Issue 20, item 5: a review bundle signed again with someone else's key. `verify` ties the key
that signed the manifest to the exporter by what the folder holds (the exporter's own signatures
on its records, the key files, one key per person), refuses a folder that contradicts it, and
prints every key by the person it is tied to so a reader can hold them against the
organisation's published fingerprints."""

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supervise.domain.records.signing import fingerprint
from supervise.export.bundle import FILE_LIST, FILE_LIST_KEY, file_list_text, sums_text
from supervise.export.readme import readme_text
from supervise.keycrypto import b64, ed25519_pem
from tests.conftest import FIRST_CHILD
from tests.helpers import USER
from tests.signed_records import record_session
from tests.test_bundle_readme import paste, readme_checks, standard_tools  # noqa: F401

Change = Callable[[Path, dict, bytes], None]


def copy_of(bundle: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(bundle, target)
    return target


def signed_again(folder: Path, change: Change) -> Ed25519PrivateKey:
    """The folder as someone with a fresh Ed25519 key of their own would leave it: `change`
    edits the manifest and the folder, then the README is written again with the product's own
    code, every file's SHA-256, the list of files and SHA256SUMS made again to match, and the
    manifest signed with the new key. Only the key ties it to anyone."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    manifest = json.loads((folder / "manifest.json").read_text())
    change(folder, manifest, public)
    (folder / "README.txt").write_text(readme_text(manifest, FILE_LIST), encoding="utf-8")
    for item in manifest["files"]:
        data = (folder / item["name"]).read_bytes()
        item.update(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
    file_list = file_list_text(manifest["files"])
    (folder / FILE_LIST).write_bytes(file_list)
    manifest[FILE_LIST_KEY] = hashlib.sha256(file_list).hexdigest()
    data = (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
    signature = key.sign(data)
    (folder / "manifest.json").write_bytes(data)
    (folder / "manifest.sig").write_bytes(signature)
    (folder / "SHA256SUMS").write_bytes(sums_text(manifest["files"], data, signature, file_list))
    return key


def own_key_beside(folder: Path, manifest: dict, public: bytes) -> None:
    """The exporter's name kept, their key in the manifest replaced by the new one, written
    beside theirs in keys/ (theirs stays: their signature on the session names it)."""
    key_file = f"keys/{fingerprint(public)[:16]}.pem"
    (folder / key_file).write_bytes(ed25519_pem(public))
    manifest["files"].append({"name": key_file, "sha256": "", "bytes": 0})
    manifest["exported_by"].update(public_key=b64(public), fingerprint=fingerprint(public),
                                   key_file=key_file)


def own_key_in_place(folder: Path, manifest: dict, public: bytes) -> None:
    """keys/ changed too: the exporter's key file itself now holds the new key."""
    exporter = manifest["exported_by"]
    (folder / exporter["key_file"]).write_bytes(ed25519_pem(public))
    exporter.update(public_key=b64(public), fingerprint=fingerprint(public))


def own_key_file_kept(folder: Path, manifest: dict, public: bytes) -> None:
    """The new key in the manifest, which still names the exporter's own key file."""
    manifest["exported_by"].update(public_key=b64(public), fingerprint=fingerprint(public))


def own_key_and_id(folder: Path, manifest: dict, public: bytes) -> None:
    """As own_key_beside, with the exporter's id changed so that no id matches theirs."""
    own_key_beside(folder, manifest, public)
    manifest["exported_by"]["id"] = 999


def verify(cli, folder: Path, *extra: str):
    return cli("verify", str(folder), *extra, passphrase=None)


def test_the_genuine_bundle_lists_every_key_by_name(cli, bundle):
    result = verify(cli, bundle)
    assert result.code == 0, result.out + result.err
    manifest = json.loads((bundle / "manifest.json").read_text())
    keys = {s["signer_name"]: s["fingerprint"]
            for r in manifest["records"] for s in r["signatures"]}
    exporter = manifest["exported_by"]["fingerprint"]
    assert keys[USER] == exporter and len(set(keys.values())) == 2
    lines = result.err.splitlines()
    assert f"  {USER}: {exporter} (signed the manifest, signed once on a record)" in lines
    assert f"  Sam Taylor: {keys['Sam Taylor']} (signed once on a record)" in lines
    assert "Nothing here but the manifest" not in result.err


@pytest.mark.parametrize("change, says", [
    (own_key_beside, f"but {USER} signed records here with key"),
    (own_key_in_place, f"but {USER} signed records here with key"),
    (own_key_and_id, f"but {USER} signed records here with key"),
    (own_key_file_kept, "holds another key than the one that signed manifest.json"),
], ids=["key-beside", "keys-replaced", "id-changed", "key-file-kept"])
def test_a_bundle_signed_again_with_another_key_is_refused(cli, bundle, tmp_path, change, says):
    folder = copy_of(bundle, tmp_path, "resigned")
    genuine = json.loads((bundle / "manifest.json").read_text())["exported_by"]["fingerprint"]
    signed_again(folder, change)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["exported_by"]["name"] == USER
    assert manifest["exported_by"]["fingerprint"] != genuine
    result = verify(cli, folder)
    assert result.code == 4, result.out + result.err
    assert says in result.out, result.out
    assert "Intact" not in result.err
    if change is own_key_in_place:  # the exporter's signature on the session names that file
        assert f"does not match {manifest['exported_by']['key_file']}" in result.out


MO, MO_PASSPHRASE = "Mo Manager", "mo-manager-passphrase"


@pytest.fixture
def unsigned_export(cli, signed, tmp_path) -> Path:
    """A review exported by Mo Manager, a key holder who signed none of its records."""
    assert cli("key", "add-user", MO, env={"SUPERVISE_NEW_PASSPHRASE": MO_PASSPHRASE}).code == 0
    out = tmp_path / "by-mo"
    result = cli("--user", MO, "export", "review", "--child", FIRST_CHILD, "--out", str(out),
                 passphrase=MO_PASSPHRASE)
    assert result.code == 0, result.err
    return out


def test_an_exporter_who_signed_nothing_here_is_tied_only_by_the_fingerprint_given(
        cli, unsigned_export, tmp_path):
    """Nothing in the folder can tell the exporter's key from a forger's when the exporter
    signed no record in it: refused, until the reader gives the fingerprint the organisation
    gave them."""
    key = json.loads((unsigned_export / "manifest.json").read_text())["exported_by"]
    result = verify(cli, unsigned_export)
    assert result.code == 4, result.out + result.err
    assert f"Nothing in it ties key {key['fingerprint']} to {MO}" in result.err
    assert f"--exporter-fingerprint {key['fingerprint']}" in result.err
    spaced = " ".join(key["fingerprint"][i:i + 4] for i in range(0, 64, 4)).upper()
    result = verify(cli, unsigned_export, "--exporter-fingerprint", spaced)
    assert result.code == 0, result.out + result.err
    assert f"  {MO}: {key['fingerprint']} (signed the manifest)" in result.err.splitlines()
    assert "(the key the organisation gave you)" in result.err
    wrong = verify(cli, unsigned_export, "--exporter-fingerprint", "0" * 64)
    assert wrong.code == 4 and f"given as {MO}'s" in wrong.out
    # signed again with the exporter's key file left behind: a key nothing here uses
    folder = copy_of(unsigned_export, tmp_path, "resigned")
    signed_again(folder, own_key_beside)
    result = verify(cli, folder)
    assert result.code == 4
    assert f"{key['key_file']} is a key that neither the exporter nor any signature here " \
           f"uses" in result.out


def test_one_key_named_as_two_peoples_is_refused(cli, bundle, tmp_path):
    """An insider's own key (Sam Taylor's, from the signature on the session) put in as the
    exporter's: it cannot sign the manifest, so the exporter's signature fails as well."""
    folder = copy_of(bundle, tmp_path, "borrowed")

    def sams_key(folder: Path, manifest: dict, public: bytes) -> None:
        sam = next(s for r in manifest["records"] for s in r["signatures"]
                   if s["signer_name"] == "Sam Taylor")
        manifest["exported_by"].update({k: sam[k] for k in ("public_key", "fingerprint",
                                                            "key_file")})

    signed_again(folder, sams_key)
    result = verify(cli, folder)
    assert result.code == 4
    assert f"is used here as the key of {USER} and of Sam Taylor" in result.out


@pytest.mark.slow
def test_the_readme_check_holds_the_exporters_key_against_their_signatures(
        cli, bundle, standard_tools, tmp_path):  # noqa: F811
    def first(folder: Path):
        check = readme_checks((folder / "README.txt").read_text(encoding="utf-8"))[0]
        return paste(check, folder, standard_tools, tmp_path)

    genuine = first(bundle)
    assert len(genuine.lines("PASS:")) == 3 and not genuine.lines("FAIL"), genuine.out
    folder = copy_of(bundle, tmp_path, "resigned")
    signed_again(folder, own_key_beside)
    resigned = first(folder)
    assert len(resigned.lines("PASS:")) == 2, resigned.out
    assert resigned.lines("FAIL: the exporter's own signatures here are made with another key")


def test_a_typed_name_is_tied_to_its_witness_key(cli, team, tmp_path):
    """Sam Taylor holds no key and types their name; the signed-in user's key witnesses it, so
    that key is listed once, as the user's, for both signatures."""
    session_id = record_session(cli, tmp_path)
    assert cli("session", "sign", session_id, "--as", USER).code == 0
    typed = cli("session", "sign", session_id, "--as", "Sam Taylor", "--typed", "--typed-name",
                "Sam Taylor", "--yes")
    assert typed.code == 0, typed.err
    out = tmp_path / "typed"
    assert cli("export", "review", "--child", FIRST_CHILD, "--out", str(out)).code == 0
    result = verify(cli, out)
    assert result.code == 0, result.out + result.err
    key = json.loads((out / "manifest.json").read_text())["exported_by"]["fingerprint"]
    keys = [line for line in result.err.splitlines() if line.startswith("  ")]
    assert keys == [f"  {USER}: {key} (signed the manifest, signed once on a record, "
                    f"witnessed once by typed name)"]
