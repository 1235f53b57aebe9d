"""The one catalogue of what to type next: each `Hint` key raised below the CLI, as the words,
flags and commands this CLI spells it with (errors.py). A test checks that every key raised
anywhere has its entry here and that no message below the CLI names a flag or a command."""

from supervise.errors import Hint, SuperviseError

HINTS: dict[str, str] = {
    # store/, domain/, export/, demo/ (the hints helper adds below this line)
    "check_supervisor": "check --supervisor.",
    "amend_session": "Record a correction with `supervise session amend {session}`.",
    "resume_session": "Resume it with `supervise session resume {session}`.",
    "carried_needs_due": "give the new date it is due (in an answers file, due = \"YYYY-MM-DD\" "
                         "in that [[action_review]]).",
    "say_new_child": "if {name} is a different child, add them with --new.",
    "say_new_child_in_file": "if {name} is a different child, add new = true to that child's "
                             "entry.",
    "another_supervisor": "give another --supervisor.",
    "mark_supervisor": "run `supervise person edit {person!r} --supervisor` first.",
    "later_review_date": "give a later --review-date.",
    "new_contract": "agree a new one with `supervise contract new`.",
    "review_or_end_contract": "Review it with `supervise contract review {contract}` or end it "
                              "with `supervise contract end {contract}`.",
    "ending_date_given": "(--date {date}).",
    "see_session_list": "See `supervise session list`.",
    "see_all_contracts": "See `supervise contract list --all`.",
    "see_decision_list": "See `supervise decision list`.",
    "see_action_list": "See `supervise action list`.",
    "see_record": "see `supervise {record_type} show {record}`.",
    "case_only_for_sessions": "--case is only for sessions; a {record_type} has no cases.",
    "resume_draft_not_amend": "change it with `supervise session resume {session}`; amendments "
                              "are for completed records.",
    "give_corrected_text": "give the corrected text with --text.",
    "give_by_party": "--by must be supervisor or supervisee, not {by!r}.",
    "see_child": "see `supervise child show {child!r}`.",
    "add_supervisor_for_training_dates": "A training date or --supervisor-since is only for "
                                         "supervisors: add --supervisor.",
    "edit_person_or_distinguish": "use `supervise person edit` to change them, or add a "
                                  "distinguishing detail to the new name.",
    "rename_key_holder": "remove it (`supervise key remove-user`), correct the name, then add it "
                         "back (`supervise key add-user`).",
    "see_all_holds": "see `supervise retention holds --all`.",
    "report_then_purge": "Run `supervise retention report`, then purge again.",
    "finish_draft_before_signing": "finish it with `supervise session resume {session}` before it "
                                   "or its decision records are signed.",
    "verify_audit_do_not_sign": "run `supervise audit verify` and do not sign it.",
    "verify_audit": "run `supervise audit verify`.",
    "see_list": "See `supervise {kind} list`.",
    "say_which_child": "say which with --dob or --ref.",
    "say_which_child_by_dob": "say which with --dob.",
    "give_child_dob": "give the child's date of birth (dob) to say which, or to add a new one.",
    "export_whose": "one of --child, --family or --supervisee.",
    "swap_from_and_to": "--from {start} is after --to {end}: swap them.",
    "see_children": "see `supervise child list`.",
    "restore_or_recover_key_file": "restore it from a backup, or rebuild it with "
                                   "`supervise key recover` and the recovery key.",
    "change_own_passphrase": "they change their passphrase with "
                             "`supervise key passwd --user NAME`.",
    "add_user_before_removing": "add another user first (`supervise key add-user`), or nobody "
                                "could open the store.",
    "passphrase_of_which_user": "with --user NAME (key holders: {names}).",
    "see_templates": "see `supervise template list`.",
    "see_template_list": "See `supervise template list`.",
    "or_set_own_policy": "or `supervise policy set FILE` with your own.",
    "run_doctor": "run `supervise doctor` on the store.",
    "upgrade_to_restore": "this supervise does not know: upgrade supervise to restore it.",
    "amend_signed_record": "record a correction with `supervise session amend ID` (or contract / "
                           "decision amend).",
    "upgrade_to_open": "upgrade supervise before opening it.",
    "another_new_store": "choose another --store, or open the existing store.",
    "right_key_file": "put the right key file beside the database, or rebuild it with "
                      "`supervise key recover`.",
    "check_user": "check --user (or SUPERVISE_USER); a custodian can add them with "
                  "`supervise key add-user`.",
    "say_which_user": "say whose passphrase this is with --user NAME or SUPERVISE_USER.",
    "create_or_point_at_store": "Create one with `supervise init`, or point --store (or "
                                "SUPERVISE_STORE) at the right file.",
    "check_store_or_restore": "check --store, or restore your store from a backup.",
    "check_store": "check --store.",
    "new_out_folder": "give --out a new folder.",
    "empty_out_folder": "give --out a new or empty folder, so nothing else is mixed into the "
                        "export.",
    "create_folder_or_another_out": "create it or give another --out.",
    "another_out_or_force": "give another --out, or --force to replace it.",
    "create_folder_or_another_docx": "create it or give another --docx.",
    "another_docx_or_force": "give another --docx, or --force to replace it.",
    "give_kind": "give --kind with one of {kinds}.",
    "recovery_key_as_printed": "as printed by `supervise init` or `supervise key rotate`.",
    "give_a_role": "--role {role!r} is not a role: use {roles}.",
    "countersign_as_manager": "a manager countersigning gives --role manager.",
    "fix_line_or_skeleton": "fix that line or use `supervise template skeleton`.",
    "see_skeleton": "(see `template skeleton`).",
    "another_or_newer_backup": "use another backup, or upgrade supervise if it says newer.",
    "restore_newest_backup": "Restore the newest good backup with `supervise restore FILE` (it "
                             "keeps this store aside); keep this file as it is until then.",
    "rebuild_key_file_or_restore_it": "Rebuild it with `supervise key recover` and the recovery "
                                      "key, or restore it from a backup.",
    "remove_staging_files": "Once no supervise command is running, delete them (any command "
                            "removes them after a day).",
    "retry_rotation": "then run `supervise key rotate` again to finish it, and write down the "
                      "recovery key it shows.",
    "finish_rotation": "Finish it with `supervise key rotate`, and write down the recovery key "
                       "it shows.",
    "rebuild_key_file_or_restore": "Rebuild it with `supervise key recover` and the recovery key, "
                                   "or restore a backup.",
    "upgrade_before_using": "Upgrade supervise before using this file.",
    "verify_audit_in_full": "Run `supervise audit verify` for the full list; keep this store as "
                            "it is for investigation and compare it with a backup.",
    "take_backup": "Take one with `supervise backup --to FILE`, and keep it off this laptop.",
    "keep_store_for_investigation": "Records or audit events were removed, or an older copy of "
                                    "the store was put back: keep this store as it is for "
                                    "investigation, compare it with your backups and exports, "
                                    "and run `supervise audit verify` for the full list.",
    "validate_template": "Run `supervise template validate` on it for the full list.",
    "forgotten_store_passphrase": "Forgotten it? A custodian can set a new one with "
                                  "`supervise key recover` and the recovery key.",
    "restore_to_new_store": "Restore it to a new path with --store.",
    "give_backup_file": "give a file made by `supervise backup --to FILE`.",
    "see_skeleton_bare": "(see `template skeleton`)",
    "see_action_list_bare": "(see `action list`)",
    "check_recovery_key": "Check each group of eight against the copy kept safe (after "
                          "`key rotate` only the newest works).",
    "free_space": "Free some space on that disk, then run the command again.",
    "free_space_then_resume": "Free some space on that disk, then go on with "
                              "`supervise session resume {session}`.",
    "unlock_again": "Unlock it again with `eval \"$(supervise unlock)\"`, or give the "
                    "passphrase.",
    # app/: people, children, contracts, policy, templates, keys, store files, retention, audit
    "keys.signing_passphrase_forgotten": "Forgotten? Use --forgotten.",
    # app/: sessions, signing, decisions, actions, exports, reports, overdue
    "session_template_kinds": "use one of {kinds} or another --template.",
    "amend_not_resume": "Correct a completed record with `supervise session amend {session}`.",
    "typed_has_key": "--typed is only for someone who has none.",
    "no_signing_key": "they set one with `supervise person enrol {person}`, or sign by typing "
                      "their name with --typed (witnessed by you).",
    "widen_export": "Widen --from / --to, or check the name with `supervise child list` or "
                    "`supervise person list`.",
    "finish_before_export": "finish it with `supervise session resume {session}` before "
                            "exporting it.",
    "out_docx": "give --out FILE.docx.",
}


def spelled(hint: Hint) -> str:
    """A hint in this CLI's words."""
    return HINTS[hint.key].format(**hint.params)


def rendered(error: SuperviseError) -> str:
    """The error's message with its hint spelled out: the one line the user reads."""
    return error.said(spelled)
