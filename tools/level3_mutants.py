"""Step 16's mutants: the level-3 reference (solution-level3/) with one contract rule broken, each by one edit.

A student's tests earn step 16's points by failing on these (by killing them)
while they pass on the reference. Each mutant is one text edit to one file of
the reference: the text to find, which occurs exactly once, and what replaces
it. Each breaks one rule the contract states for levels 1 to 3, one that shows
through the interface a test may use (a status, a field, a stored value, a
refusal, a separation), never a choice the contract leaves open (401 or 403,
303 or 200). Its `rule` is the sentence the feedback shows when a student's
tests let it live.

`level` says which level's rule it breaks: the contract counts level 2's only
where the rubric grades level 2. The reference's own tests
(solution-level3/tests/) kill every one of them; tests/test_level3_reference.py
proves it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "solution-level3"
# What a copy of the reference leaves out: data a run made, and caches.
LEFT_OUT = ("instance", "__pycache__", ".pytest_cache")


@dataclass(frozen=True)
class Mutant:
    """One rule broken by one edit: in `file`, the text `find` (found exactly once) becomes `replace`."""

    name: str
    level: int
    step: str
    rule: str
    file: str
    find: str
    replace: str


MUTANTS: tuple[Mutant, ...] = (
    # Level 1.
    Mutant(
        "empty_username_stored",
        1,
        "2",
        "POST /user/ without a username, or with an empty one, is 400 and stores nothing.",
        "club/forms.py",
        "        if not value:\n",
        '        if not value and name != "username":\n',
    ),
    Mutant(
        "wrong_club_password_stores",
        1,
        "7",
        "POST /user/ with a wrong club password is 401 or 403, and no profile appears.",
        "club/main.py",
        'if not is_club_password(request.form.get("password", "")):',
        'if not request.form.get("password"):',
    ),
    Mutant(
        "unknown_user_200",
        1,
        "6",
        "GET /user/<username> for a username never stored is 404.",
        "club/main.py",
        'return render_template("not_found.html", username=username), 404',
        'return render_template("not_found.html", username=username), 200',
    ),
    Mutant(
        "food_shows_message",
        1,
        "5",
        "The profile page's #food holds the member's food.",
        "templates/user.html",
        '<dd id="food">{{ profile.food }}</dd>',
        '<dd id="food">{{ profile.message }}</dd>',
    ),
    Mutant(
        "message_not_escaped",
        1,
        "5",
        "HTML in a message is escaped: shown as text, never run.",
        "templates/user.html",
        "{{ profile.message }}</dd>",
        "{{ profile.message|safe }}</dd>",
    ),
    Mutant(
        "first_post_wins",
        1,
        "5",
        "A second POST /user/ for the same username replaces the profile.",
        "club/db.py",
        '" ON CONFLICT (username) DO UPDATE SET food = excluded.food, message = excluded.message",',
        '" ON CONFLICT (username) DO NOTHING",',
    ),
    # Level 2.
    Mutant(
        "status_without_name",
        2,
        "9",
        "Logged in, every page's #status holds the member's username.",
        "templates/base.html",
        "Logged in as {{ g.member }}",
        "Logged in",
    ),
    Mutant(
        "logout_keeps_member",
        2,
        "9",
        "GET /logout logs out: #status no longer holds the username.",
        "club/auth.py",
        '    session.clear()\n    return redirect(url_for("main.index"), code=303)',
        '    return redirect(url_for("main.index"), code=303)',
    ),
    Mutant(
        "details_form_empty",
        2,
        "10",
        "The account-details form's food field holds the member's current food.",
        "templates/account-details.html",
        'value="{{ food }}"',
        'value=""',
    ),
    # Level 3: the factory and its configurations.
    Mutant(
        "testing_flag_off",
        3,
        "12",
        'app.config["TESTING"] is True on the app create_app("testing") returns.',
        "config.py",
        "    TESTING = True\n",
        "    TESTING = False\n",
    ),
    Mutant(
        "testing_shares_default_data",
        3,
        "12",
        "A profile stored on the testing app is not shown on the default app, nor the other way round.",
        "config.py",
        '    DATABASE = ":memory:"\n',
        "",
    ),
    Mutant(
        "accounts_lost_at_restart",
        3,
        "13",
        "A member registered before a restart still logs in with their password after it.",
        "config.py",
        "its data in instance/club.sqlite.\"\"\"\n",
        'its data in instance/club.sqlite."""\n\n    DATABASE = ":memory:"\n',
    ),
    # Registering and logging in.
    Mutant(
        "short_password_taken",
        3,
        "13",
        "POST /register with a password under 8 characters is 400, and stores nothing.",
        "club/forms.py",
        "PASSWORD_LENGTH = (8, 128)",
        "PASSWORD_LENGTH = (1, 128)",
    ),
    Mutant(
        "passwords_may_differ",
        3,
        "13",
        "POST /register whose password2 differs from password is 400, and stores nothing.",
        "club/forms.py",
        '    if form.get("password2", "") != password:\n',
        '    if not form.get("password2", ""):\n',
    ),
    Mutant(
        "taken_name_replaced",
        3,
        "13",
        "Registering a taken username is 400 or 409, and the first password still logs in.",
        "club/db.py",
        '"INSERT INTO member (username, password_hash) VALUES (?, ?)"',
        '"INSERT OR REPLACE INTO member (username, password_hash) VALUES (?, ?)"',
    ),
    Mutant(
        "registered_takes_club_password",
        3,
        "13",
        "A registered member logs in with their own password only: the club password is 401 or 403.",
        "club/auth.py",
        '        if not check_password_hash(member["password_hash"], password):\n',
        '        if not (check_password_hash(member["password_hash"], password) or is_club_password(password)):\n',
    ),
    Mutant(
        "password_in_session",
        3,
        "13",
        "No cookie the app sets holds a member's password, plain or trivially encoded.",
        "club/auth.py",
        '    session["username"] = username\n',
        '    session["username"] = username\n    session["password"] = password\n',
    ),
    # Confirming by a signed link.
    Mutant(
        "no_confirmation_mail",
        3,
        "14",
        "Each registration the app accepts writes one new mail into instance/outbox/, with the member's link.",
        "club/auth.py",
        "    mail.send_confirmation(username, tokens.make(username))\n",
        "",
    ),
    Mutant(
        "confirmed_from_the_start",
        3,
        "14",
        "A new member's profile page reads #confirmed no until they follow their link.",
        "club/db.py",
        "confirmed INTEGER NOT NULL DEFAULT 0",
        "confirmed INTEGER NOT NULL DEFAULT 1",
    ),
    Mutant(
        "any_link_confirms",
        3,
        "14",
        "Another member's link leaves the member who follows it unconfirmed.",
        "club/auth.py",
        "    if tokens.read(token) != g.member:\n",
        "    if tokens.read(token) is None:\n",
    ),
    Mutant(
        "link_never_expires",
        3,
        "14",
        "A link followed more than CLUB_CONFIRM_SECONDS seconds after it was made confirms nothing.",
        "club/tokens.py",
        "serializer().loads(token, max_age=confirm_seconds())",
        "serializer().loads(token)",
    ),
    Mutant(
        "link_not_tied_to_key",
        3,
        "14",
        "A link made before the SECRET_KEY changed confirms nothing after.",
        "club/tokens.py",
        'URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)',
        'URLSafeTimedSerializer("club-links", salt=SALT)',
    ),
    # Roles and the administrator's editor.
    Mutant(
        "everyone_reads_admin",
        3,
        "15",
        'A registered member\'s #role reads "member" unless they are CLUB_ADMIN.',
        "templates/user.html",
        '<dd id="role">{{ role }}</dd>',
        '<dd id="role">admin</dd>',
    ),
    Mutant(
        "members_may_edit",
        3,
        "15",
        "A logged-in member who is not the administrator gets 403 from another member's /edit-profile/, "
        "and nothing changes.",
        "club/admin.py",
        '        if db.find_member(g.member) is None or role_of(g.member) != "admin":\n',
        "        if db.find_member(g.member) is None:\n",
    ),
    Mutant(
        "club_password_makes_admin",
        3,
        "15",
        "Logging in as CLUB_ADMIN with the club password, before anyone registered it, gives no editor.",
        "club/admin.py",
        '        if db.find_member(g.member) is None or role_of(g.member) != "admin":\n',
        '        if role_of(g.member) != "admin":\n',
    ),
    Mutant(
        "editor_for_nobody",
        3,
        "15",
        "GET /edit-profile/<never-created> is 404 for the administrator.",
        "club/admin.py",
        "    profile = db.find_profile(username)\n    if profile is None:\n        abort(404)\n",
        '    profile = db.find_profile(username) or {"food": "", "message": ""}\n',
    ),
    Mutant(
        "editor_changes_the_admin",
        3,
        "15",
        "POST /edit-profile/<username> changes that member's profile, and no other.",
        "club/admin.py",
        '    db.save_details(username, details["food"], details["message"])',
        '    db.save_details(g.member, details["food"], details["message"])',
    ),
)


def named(name: str) -> Mutant:
    """The mutant of that name."""
    for mutant in MUTANTS:
        if mutant.name == name:
            return mutant
    raise KeyError(f"no level-3 mutant named {name!r}")


def for_levels(levels: set[int]) -> tuple[Mutant, ...]:
    """The mutants whose rule belongs to one of these levels, in their order."""
    return tuple(mutant for mutant in MUTANTS if mutant.level in levels)


def apply(mutant: Mutant, root: Path) -> None:
    """Make the mutant's one edit in the copy at `root`, insisting that its text occurs there exactly once."""
    path = root / mutant.file
    text = path.read_text(encoding="utf-8")
    found = text.count(mutant.find)
    if found != 1:
        raise ValueError(f"mutant {mutant.name}: its text occurs {found} times in {mutant.file}, not once")
    path.write_text(text.replace(mutant.find, mutant.replace), encoding="utf-8")


def build(mutant: Mutant | None, target: Path, reference: Path = REFERENCE) -> Path:
    """A copy of the reference at `target` (which must not exist), with the mutant's edit if one is given."""
    shutil.copytree(reference, target, ignore=shutil.ignore_patterns(*LEFT_OUT))
    if mutant is not None:
        apply(mutant, target)
    return target
