"""Student submissions graded end to end: each must get exactly the contract's verdict.

Every directory under tests/submissions/ is one student's hand-in (`app.py` and
`templates/user.html`, plus whatever else that student wrote). EXPECTED_FAILS says,
for each, which step ids ("1" to "7") the grader must mark as failed; every other
step must pass. The verdicts follow the contract's step table and its notes alone:
steps are graded independently, steps 3 and 4 read only the template's source, and
an app.py that cannot be imported fails every step that needs the app (1, 2, 5, 6, 7).
tests/submissions/README.md describes the submissions at more length.
"""

from __future__ import annotations

import pytest
from conftest import SUBMISSIONS, failed_steps

NEEDS_THE_APP = {"1", "2", "5", "6", "7"}
ALL_STEPS = {"1", "2", "3", "4", "5", "6", "7"}

EXPECTED_FAILS: dict[str, set[str]] = {
    # == Valid, in different styles: full marks. ==
    # module-level app, plain dict, methods=[...], 303, "Hello World!", 404 via its own template
    "valid_module_dict": set(),
    # create_app() keeping profiles in app.config; @app.get/@app.post, 302, 403, abort(404) + errorhandler
    "valid_factory_config": set(),
    # create_app() with a closure dict, request.form[...], <div> ids, run(host="0.0.0.0", port=5000)
    "valid_factory_closure": set(),
    # a route-less module-level app next to create_app(): the factory wins, as the contract says
    "valid_factory_wins": set(),
    # POST answers 200 with the rendered profile instead of redirecting; **profile into the template
    "valid_post_renders_page": set(),
    # profiles in profiles.json in the working directory; 201; user.html extends base.html; <dd> ids
    "valid_json_file": set(),
    # profiles in club.db via a relative path; 302; 403; username checked before the password
    "valid_sqlite": set(),
    # a Blueprint in its own module (members.py) mounted at /user; app = create_app(); app.run(port=5000)
    "valid_blueprint": set(),
    # dataclass profile, GET /user/ shows a sign-up form, ids' text padded by the template's indentation
    "valid_dataclass_form": set(),
    # == Typical mistakes: fail exactly the steps their flaw touches. ==
    # {{ message|safe }}: HTML in a message is not escaped
    "mistake_safe_filter": {"5"},
    # known users all get the last posted profile: two users overwrite each other
    "mistake_last_profile_for_everyone": {"5"},
    # setdefault(): a second POST for a username doesn't update it
    "mistake_first_write_wins": {"5"},
    # no GET / route: 404 instead of 200
    "mistake_no_index_route": {"1"},
    # app.run(port=8080): `python app.py` doesn't serve on port 5000
    "mistake_run_port_8080": {"1"},
    # no `if __name__ == "__main__":` block: `python app.py` starts nothing
    "mistake_no_main_block": {"1"},
    # the checks' POSTs carry CLUB_PASSWORD's value, so every POST gets 401
    "mistake_hardcoded_password": {"2", "5", "7"},
    # answers 401 but has already stored the profile, so it appears
    "mistake_saves_before_password_check": {"7"},
    # a missing or wrong password is accepted
    "mistake_no_password_check": {"7"},
    # request.form["password"]: a missing password is 400, not 401 or 403
    "mistake_password_bracket_lookup": {"7"},
    # profiles[username] raises KeyError: 500 for an unknown user
    "mistake_unknown_user_500": {"6"},
    # profiles.get(username, {}): an unknown user gets an empty 200 page
    "mistake_unknown_user_200": {"6"},
    # bare abort(404): Flask's stock page doesn't name the username
    "mistake_404_without_username": {"6"},
    # id="mesage" (step 5 then finds the message in the page's text)
    "mistake_misspelled_id": {"4"},
    # the ids sit on the labels, the values outside them: step 5 reads the labels
    "mistake_ids_on_labels": {"4", "5"},
    # templates/profile.html: no templates/user.html, but the page itself works
    "mistake_template_named_profile": {"3", "4"},
    # Templates/ folder: no templates/user.html, and rendering fails (500)
    "mistake_templates_capitalised": {"3", "4", "5"},
    # a POST without a username (or with an empty one) answers 200
    "mistake_no_username_accepted": {"2"},
    # routes at /users/ (the seed's typo): /user/... is a stock 404
    "mistake_users_route": {"2", "5", "6", "7"},
    # GET / returns a dict: 200 but application/json, not HTML
    "mistake_index_returns_json": {"1"},
    # == Broken: app.py or the template can't be used at all. ==
    # app.py doesn't compile; the template alone passes 3 and 4
    "broken_syntax_error": NEEDS_THE_APP,
    # `from flask import escape` (gone since Flask 3.0) raises ImportError at import
    "broken_import_error": NEEDS_THE_APP,
    # the app is called `club`: neither `app` nor `create_app()` exists
    "broken_no_app": NEEDS_THE_APP,
    # {% if %} without {% endif %}: not valid Jinja, and the page is a 500; ids intact for 4
    "broken_template_unclosed_if": {"3", "5"},
    # {{ message } inside #message: not Jinja, no {{ … }} in #message, page 500
    "broken_template_unclosed_brace": {"3", "4", "5"},
    # nothing handed in (only a placeholder so git keeps the directory)
    "empty": ALL_STEPS,
}

# Verdicts that assume a case-sensitive file system, where `Templates/` is not `templates/`.
CASE_SENSITIVE_ONLY = {"mistake_templates_capitalised"}


def _file_system_ignores_case() -> bool:
    return (SUBMISSIONS / "mistake_templates_capitalised" / "templates").exists()


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILS))
def test_submission_gets_the_contracts_verdict(name, grade):
    """Each student submission fails exactly the steps the contract says it should."""
    if name in CASE_SENSITIVE_ONLY and _file_system_ignores_case():
        pytest.skip("this file system ignores case, so Templates/ is found as templates/")
    result = grade(SUBMISSIONS / name)
    assert failed_steps(result) == EXPECTED_FAILS[name]


def test_every_submission_has_a_verdict_and_every_verdict_a_submission():
    """The directories under tests/submissions/ and the entries of EXPECTED_FAILS match."""
    on_disk = {
        path.name
        for path in SUBMISSIONS.iterdir()
        if path.is_dir() and not path.name.startswith(".") and path.name != "__pycache__"
    }
    assert sorted(on_disk - set(EXPECTED_FAILS)) == [], "submissions without a verdict"
    assert sorted(set(EXPECTED_FAILS) - on_disk) == [], "verdicts without a submission"


def test_verdicts_name_only_the_contracts_steps():
    """Every expected failing step is one of the contract's ids "1" to "7"."""
    for name, steps in EXPECTED_FAILS.items():
        assert steps <= ALL_STEPS, f"{name}: {sorted(steps - ALL_STEPS)}"
