"""Sentence digests, pure: version 2 (plain) and version 3 (salted by the store's secret) records
leave out a sentence naming another child and still give the signed digest; a version 3
sentence left out cannot be confirmed by guessing it, and a shown one needs its salt."""

import os

import pytest

from supervise.domain.bundles.extract import entry_parts, recompute, trimmed
from supervise.domain.records.canonical import (
    digest,
    piece_digester,
    plain,
    salted_digest,
)
from supervise.domain.records.signing import Content

KEY = os.urandom(32)
HIDDEN = "Arun Patel is settled. "
PARTS = [{"section": "team_issues", "answer": HIDDEN + "Training dates agreed."},
         {"section": "aob", "answer": "None."}]


def _extract(version: int) -> tuple[Content, dict]:
    content = Content({"type": "session", "id": 1, "canonical": version}, PARTS,
                      KEY if version >= 3 else None)
    trim = trimmed(PARTS[0], ["Arun Patel"], piece_digester(version, content.salt_key))
    assert trim is not None and trim.left_out == 1
    entry = {"header": content.header,
             "parts": plain(entry_parts(content, {}, ["a", "b"], {0: trim}))}
    return content, entry


@pytest.mark.parametrize("version", [2, 3])
def test_a_sentence_left_out_still_gives_the_signed_digest(version):
    content, entry = _extract(version)
    computed, problems = recompute(entry["header"], entry["parts"])
    assert problems == [] and computed == content.digest
    assert "Arun" not in str(entry["parts"])


def test_version_2_sentences_can_be_confirmed_by_a_guess_and_version_3_cannot():
    _, plain_entry = _extract(2)
    assert plain_entry["parts"][0]["content"]["answer"][0]["digest"] == digest(HIDDEN)
    _, salted = _extract(3)
    left_out = salted["parts"][0]["content"]["answer"][0]["digest"]
    assert left_out != digest(HIDDEN)
    shown_salts = [s for _, salts in salted["parts"][0]["salts"] for s in salts if s]
    assert all(left_out != salted_digest(HIDDEN, s) for s in shown_salts)
    assert salted["parts"][0]["salts"][1] == [["answer"], [None, shown_salts[1]]]


def test_a_version_3_part_without_its_salts_or_with_a_changed_sentence_fails():
    content, entry = _extract(3)
    bare = [dict(p) for p in entry["parts"]]
    bare[1].pop("salts")
    assert recompute(entry["header"], bare)[1] == ["part 1 (b) does not match its digest"]
    changed = [dict(p) for p in entry["parts"]]
    changed[0]["content"] = {**changed[0]["content"],
                             "answer": [changed[0]["content"]["answer"][0], "Dates cancelled."]}
    assert recompute(entry["header"], changed)[1] == ["part 0 (a) does not match its digest"]


def test_a_version_3_record_is_not_digested_without_the_stores_secret():
    with pytest.raises(ValueError, match="store's secret"):
        _ = Content({"type": "session", "id": 1, "canonical": 3}, PARTS).digest
