"""Step 11 (bonus): a profile photo, uploaded with the account details and shown on the member's page."""

from __future__ import annotations

from checks.club import Club, show
from checks.data import Data
from checks.members import FORMATS, avatar_src, code_files, fetch, image, log_in, store, upload

SIZE_HINT = "app.config[\"MAX_CONTENT_LENGTH\"] = 1024 * 1024 makes Flask answer 413 to anything bigger"


def test_photo_is_shown(club: Club, data: Data) -> None:
    """a PNG, a JPEG and a GIF uploaded as avatar are each shown on the member's page, byte for byte"""
    profile = data.profile()
    store(club, profile)
    log_in(club, profile.username)
    for kind, (extension, mimetype) in FORMATS.items():
        content = image(data, kind)
        reply = upload(club, profile, content, f"{data.username().lower()}.{extension}", mimetype)
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
            club.fail(
                f"expected the avatar's src {show(src)} to answer the {len(content)} bytes of the {kind} "
                f"uploaded, got {len(served)} other bytes",
                "save the uploaded file as it came (file.save(path)) and serve it back with send_from_directory",
            )


def test_non_image_is_refused(club: Club, data: Data) -> None:
    """a file that is not an image, named like one, is refused with 400 and stored nothing"""
    profile = data.profile()
    store(club, profile)
    log_in(club, profile.username)
    content = f"not an image at all: {data.message()}\n".encode() * 8
    reply = upload(club, profile, content, "photo.png", "image/png")
    if reply.status_code != 400:
        club.fail(
            f"expected a text file named photo.png to be refused with 400, got {reply.summary()}",
            "judge a file by its content, not its name: open it with Pillow (Image.open(file).verify()) "
            "and abort(400) when that raises",
        )
    page = club.profile_page(profile.username)
    src = avatar_src(page)
    if src and fetch(club, page, src) == content:
        club.fail(f"the refused file was stored anyway: the avatar's src {show(src)} answers it")


def test_traversal_name_changes_no_file(club: Club, data: Data) -> None:
    """an image named ../app.py is refused with 400 or saved under a name the app chooses"""
    profile = data.profile()
    store(club, profile)
    log_in(club, profile.username)
    root = club.remote.sandbox.root
    before = code_files(root)
    for name in ("../app.py", "../../app.py", "../../../app.py"):
        reply = upload(club, profile, image(data), name, "image/png")
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
    """an upload of 2 MiB is refused with 413"""
    profile = data.profile()
    store(club, profile)
    log_in(club, profile.username)
    picture = image(data)
    content = picture + bytes(2 * 1024 * 1024 - len(picture))
    reply = upload(club, profile, content, "big.png", "image/png")
    if reply.status_code != 413:
        club.fail(f"expected an upload of 2 MiB to be refused with 413, got {reply.summary()}", SIZE_HINT)
