"""Step 14's outbox written elsewhere (club/outbox/, not instance/outbox/): the failure says where the mail went."""

from __future__ import annotations

import flask
import pytest
from test_level2_checks import club_of, failure

from checks import outbox as the_outbox


def club_on(root):
    app = flask.Flask(__name__)
    app.get("/")(lambda: "ok")
    return club_of(app, "14", root=root)


def test_a_mail_written_into_another_outbox_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(the_outbox, "OUTBOX_WAIT", 0.1)
    (tmp_path / "club" / "outbox").mkdir(parents=True)
    (tmp_path / "club" / "outbox" / "1.txt").write_text("To: MiraK2024\nhttp://localhost/confirm/abc")
    said = failure(the_outbox.link_for, club_on(tmp_path), "MiraK2024", {})
    assert said.problem == ('after POST /register of "MiraK2024", no new file appeared in instance/outbox/ within '
                            "0.1 s, but one holding the username appeared in club/outbox/")


@pytest.mark.parametrize("where", ["nowhere", "another member's", "a link", "too far"])
def test_no_other_outbox_holding_the_member_is_named_otherwise(tmp_path, monkeypatch, where):
    monkeypatch.setattr(the_outbox, "OUTBOX_WAIT", 0.1)
    folder = tmp_path / "club" / "outbox"
    folder.mkdir(parents=True)
    if where == "another member's":
        (folder / "1.txt").write_text("To: SomeoneElse\nhttp://localhost/confirm/abc")
    elif where == "a link":  # a link to the mail is never followed
        (tmp_path / "mail.txt").write_text("To: MiraK2024\nhttp://localhost/confirm/abc")
        (folder / "1.txt").symlink_to(tmp_path / "mail.txt")
    elif where == "too far":  # past the entries the check looks at
        monkeypatch.setattr(the_outbox, "SEARCHED", 3)
        for index in range(5):
            (tmp_path / f"a{index}").mkdir()
        (folder / "1.txt").write_text("To: MiraK2024\nhttp://localhost/confirm/abc")
    said = failure(the_outbox.link_for, club_on(tmp_path), "MiraK2024", {})
    assert said.problem.endswith("no new file appeared in instance/outbox/ within 0.1 s")
