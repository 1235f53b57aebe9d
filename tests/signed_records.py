"""A session with two children discussed, signed by both parties: shared by the sign-off and
export tests."""

from datetime import timedelta

from tests.clock import YESTERDAY
from tests.helpers import USER

HELD = YESTERDAY
BEA_PASSPHRASE = "bea's own passphrase"
SECOND_CHILD = "Zofia Nowak-Kowalska"


def record_session(cli, tmp_path, name="s.toml", status="", held=HELD, answers="",
                   supervisor=USER, born=("2014-02-02", "2016-05-05")) -> str:
    path = tmp_path / name
    path.write_text(f"""\
template = "ms-supervision-record"
date = "{held}"
supervisor = "{supervisor}"
supervisees = ["Sam Taylor"]

[answers]
matters_arising = "Referral made on 2 May; outcome awaited."
{answers}

[[cases]]
family = "Okafor"
children = [{{name = "Ada Okafor", dob = "{born[0]}"}}]
{f'status = "{status}"' if status else ""}
answers = {{summary = "Missed two health appointments."}}

[cases.decision]
synopsis = "Known to services since 2023."
concerns = "Neglect."
decision = "Request a strategy discussion."
rationale = "Missed appointments and a new injury."

[[cases]]
family = "Nowak"
children = [{{name = "{SECOND_CHILD}", dob = "{born[1]}"}}]
answers = {{summary = "Settled at school."}}

[[actions]]
text = "Call the school nurse"
owner = "Sam Taylor"
due = "{held + timedelta(days=14)}"
""", encoding="utf-8")
    result = cli("session", "new", "--answers", str(path))
    assert result.code == 0, result.err
    return result.out.strip()


def enrol(cli, name="Sam Taylor", passphrase=BEA_PASSPHRASE, *extra):
    result = cli("person", "enrol", name, *extra,
                 env={"SUPERVISE_SIGNER_PASSPHRASE": passphrase})
    assert result.code == 0, result.err
    return result


def sign(cli, *args, signer=BEA_PASSPHRASE):
    return cli(*args, env={"SUPERVISE_SIGNER_PASSPHRASE": signer})
