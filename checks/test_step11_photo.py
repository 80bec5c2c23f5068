"""Step 11 (bonus): a profile photo, uploaded with the account details and shown on the member's page.

File names, sizes and pixels are random for every run, like every other value the checks send.
"""

from __future__ import annotations

from checks.club import Club
from checks.data import Data, Profile
from checks.members import log_in, not_logged_in, store
from checks.photos import FORMATS, avatar_src, code_files, fetch, file_name, image, png_of_size, upload
from checks.reply import Reply, show

MIB = 1024 * 1024
LIMIT = "(1024 + 64) * 1024"  # the limit the starter and docs/student/step-11.md give: a photo of 1 MiB, and room
SIZE_HINT = (
    f'app.config["MAX_CONTENT_LENGTH"] = {LIMIT} makes Flask answer 413 to a request bigger than a photo of '
    "1 MiB and the form's other fields"
)
ROOM_HINT = (
    f"the limit counts the whole request, the form's other fields too: {SIZE_HINT} "
    "(1024 * 1024 alone leaves no room, and refuses a photo of exactly 1 MiB)"
)


def member(club: Club, data: Data) -> tuple[Profile, Reply]:
    """A member with a stored profile, logged in in this check's browser; the login's answer."""
    profile = data.profile()
    store(club, profile)
    return profile, log_in(club, profile.username)


def send(club: Club, login: Reply, profile: Profile, content: bytes, name: str, mimetype: str) -> Reply:
    """Upload a file as avatar; fail the check if the app no longer knows the member who logged in."""
    reply = upload(club, profile, content, name, mimetype)
    not_logged_in(club, login, reply, "POST /account-details")
    return reply


def test_photo_is_shown(club: Club, data: Data) -> None:
    """a PNG, a JPEG and a GIF uploaded as avatar are each shown on the member's page, byte for byte"""
    profile, login = member(club, data)
    for kind, (extension, mimetype) in FORMATS.items():
        content = image(data, kind)
        reply = send(club, login, profile, content, file_name(data, extension), mimetype)
        club.expect_accepted(reply, f"POST /account-details with a {kind} as avatar")
        page = club.profile_page(profile.username)
        club.expect_page(page, 200, f"GET {page.path}")
        src = avatar_src(page)
        if src is None:
            club.fail(
                f'after uploading a {kind}, expected the profile page to hold <img id="avatar">, found none',
                '<img id="avatar" src="{{ url_for(\'avatar\', username=username) }}"> in templates/user.html',
            )
        served = fetch(club, page, src)
        if served is None:
            club.fail(f"the avatar's src {show(src)} is not on your app", "serve the photo from your own app")
        if served != content:
            hint = "save the uploaded file as it came (file.save(path)) and serve it back with send_from_directory"
            if content.endswith(served):  # (served is not content: a suffix of it is shorter)
                hint = (
                    f"the saved photo lacks its first {len(content) - len(served)} bytes: reading the upload "
                    "(Image.open(file)) moves the file forward, so call file.seek(0) before file.save(path)"
                )
            club.fail(
                f"expected the avatar's src {show(src)} to answer the {len(content)} bytes of the {kind} "
                f"uploaded, got {len(served)} other bytes",
                hint,
            )


def test_non_image_is_refused(club: Club, data: Data) -> None:
    """a file that is not an image, named like one, is refused with 400 and stored nothing"""
    profile, login = member(club, data)
    content = f"not an image at all: {data.message()}\n".encode()  # random text, of a random length
    name = file_name(data, "png")
    reply = send(club, login, profile, content, name, "image/png")
    if reply.status_code != 400:
        club.fail(
            f"expected a text file named {name} to be refused with 400, got {reply.summary()}",
            "judge a file by its content, not its name: open it with Pillow (Image.open(file).verify()) "
            "and abort(400) when that raises",
        )
    page = club.profile_page(profile.username)
    src = avatar_src(page)
    if src and fetch(club, page, src) == content:
        club.fail(f"the refused file was stored anyway: the avatar's src {show(src)} answers it")


def test_traversal_name_changes_no_file(club: Club, data: Data) -> None:
    """an image named ../app.py is refused with 400 or saved under a name the app chooses"""
    profile, login = member(club, data)
    root = club.app_folder
    before = code_files(root)
    for name in ("../app.py", "../../app.py", "../../../app.py"):
        reply = send(club, login, profile, image(data), name, "image/png")
        if reply.status_code != 400 and not reply.accepted:
            club.fail(
                f"expected an image named {name} to be refused with 400 or accepted, got {reply.summary()}",
                "choose the saved file's name yourself (from the username, or secrets.token_hex()), "
                "or use werkzeug.utils.secure_filename",
            )
    after = code_files(root)
    changed = sorted(name for name in {*before, *after} if before.get(name) != after.get(name))
    if changed:
        club.fail(
            f"uploading images named ../app.py and the like changed {', '.join(changed[:3])}: "
            "a file name from the browser chose where to write",
            "never build a path from file.filename: choose the name yourself, or use secure_filename",
        )
    club.notes.add("no .py or .html file of your app changed")


def test_big_upload_is_refused(club: Club, data: Data) -> None:
    """an upload of 2 MiB is refused with 413, and a PNG of exactly 1 MiB is taken"""
    profile, login = member(club, data)
    picture = image(data)
    content = picture + bytes(2 * MIB - len(picture))
    reply = send(club, login, profile, content, file_name(data, "png"), "image/png")
    if reply.status_code != 413:
        club.fail(f"expected an upload of 2 MiB to be refused with 413, got {reply.summary()}", SIZE_HINT)
    reply = send(club, login, profile, png_of_size(data, MIB), file_name(data, "png"), "image/png")
    if not reply.accepted:
        club.fail(
            f"expected a PNG of exactly 1 MiB (the most a photo may be) to be accepted, got {reply.summary()}",
            ROOM_HINT if reply.status_code == 413 else club.refusal_hint(reply),
        )
