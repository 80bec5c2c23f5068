"""`make handout`: the repository a student receives works as it stands and holds nothing of the solution."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTION

from checks import rubric
from checks.integrity import MANIFEST, manifest_text, modified_checks
from tools import handout

EXPECTED = [
    "README.md",
    "Makefile",
    ".gitignore",
    ".github/workflows/grade.yml",
    "requirements.txt",
    "starter/app.py",
    "starter/templates/README.md",
    "checks/__main__.py",
    "checks/rubric.toml",
    f"checks/{MANIFEST}",
    "docs/student/README.md",
    "docs/student/step-5.md",
]
# Solution lines the student guide shows on purpose, as hints: the reference is written the
# way the hints teach, so these lines are the guide's own.
SHOWN_IN_THE_GUIDE = {
    'return render_template("user.html", profile=profile)',
    '@app.get("/user/<username>")',
    'return render_template("not_found.html", username=username), 404',
    'username = request.form.get("username", "")',
    'expected = os.environ.get("CLUB_PASSWORD", "")',
    'return redirect(url_for("index"), code=303)',
    '<a href="{{ url_for(\'index\') }}">Flask Club</a>',
    'return render_template("login.html")',
    'session.pop("username", None)',
    '@app.get("/account-details")',
    '@app.post("/account-details")',
    'return redirect(url_for("login_form"))',
    'upload = request.files.get("avatar")',
    '@app.get("/photos/<name>")',
    "def login_required(view):",  # Flask's tutorial's decorator, which step 10 names; steps 14 and 15 show one
    # The hints' own lines, as the model answer has them: steps 2, 5 and extra 6 (the dictionary), step 8's
    # title block, step 9's key and #status, step 10's profiles.json, step 11's photo and size limit.
    '"food": request.form.get("food", ""),',
    "profile = profiles.get(username)",
    'return redirect(url_for("show_user", username=username), code=303)',
    "{% block title %}Flask Club{% endblock %}",
    "{% block title %}{{ profile.username }} · Flask Club{% endblock %}",
    "{% if session.username %}",
    'app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex()',
    'PROFILES = os.path.join(app.instance_path, "profiles.json")',
    "if not os.path.exists(PROFILES):",
    'with open(PROFILES, encoding="utf-8") as file:',
    "os.makedirs(app.instance_path, exist_ok=True)",
    "profiles = load_profiles()",
    'username = session.get("username")',
    "profile = profiles.get(username, {})",
    'app.config["MAX_CONTENT_LENGTH"] = (1024 + 64) * 1024',
    'PHOTOS = os.path.join(app.instance_path, "photos")',
    'EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif"}',
    "with Image.open(upload.stream) as image:",
    "if kind not in EXTENSIONS:",
    "name = secrets.token_hex(16) + EXTENSIONS[kind]",
    "os.makedirs(PHOTOS, exist_ok=True)",
    "upload.save(os.path.join(PHOTOS, name))",
    "return send_from_directory(PHOTOS, name)",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A handout built from the kit, as `make handout` builds it."""
    return handout.build(tmp_path_factory.mktemp("handout") / "flask-club")


def files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def solution_files() -> list[Path]:
    return [path for path in files(SOLUTION) if not {"instance", "__pycache__"} & set(path.parts)]


def lines(paths: list[Path], shortest: int = 25) -> set[str]:
    found = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if len(line.strip()) >= shortest:
                found.add(line.strip())
    return found


def test_the_handout_holds_what_a_student_needs(built):
    """The starter, the checks and their manifest, the guide, the Makefile, the README and the workflow."""
    for name in EXPECTED:
        assert (built / name).is_file(), name
    assert {path.name for path in built.iterdir()} == {
        "README.md", "Makefile", ".gitignore", ".github", "requirements.txt", "starter", "checks", "docs"
    }
    # The grader's pins, less what only the reference solution uses (waitress, for solution/serve.py).
    requirements = (built / "requirements.txt").read_text()
    assert requirements == handout.handout_requirements((ROOT / "requirements.txt").read_text())
    assert "flask==" in requirements and "waitress" not in requirements and "solution" not in requirements


def test_no_solution_file_leaks(built):
    """No file of the handout is a file of the solution, and no folder is named after it."""
    solution = {hashlib.sha256(path.read_bytes()).digest() for path in solution_files() if path.stat().st_size}
    for path in files(built):
        assert hashlib.sha256(path.read_bytes()).digest() not in solution, path
        assert "solution" not in path.relative_to(built).parts and "tests" not in path.relative_to(built).parts


def test_no_distinctive_solution_line_leaks(built):
    """A line of the solution that the starter and the checks don't have appears nowhere in the handout."""
    distinctive = lines(solution_files()) - lines(files(ROOT / "starter") + files(ROOT / "checks"))
    distinctive -= SHOWN_IN_THE_GUIDE
    assert len(distinctive) > 100  # the solution is still there to compare with
    for path in files(built):
        text = path.read_text(encoding="utf-8", errors="replace")
        leaked = [line for line in distinctive if line in text]
        assert leaked == [], path


def test_the_manifest_lists_every_check(built):
    """checks/MANIFEST.sha256 holds the hash of every file of checks/, and they match."""
    checks = built / "checks"
    assert (checks / MANIFEST).read_text() == manifest_text(checks)
    assert modified_checks(checks) == []
    listed = {line.split("  ", 1)[1] for line in (checks / MANIFEST).read_text().splitlines()}
    assert listed == {path.relative_to(checks).as_posix() for path in files(checks)} - {MANIFEST}


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils' sha256sum")
def test_the_manifest_is_sha256sum_format(built):
    """`sha256sum -c` verifies the manifest too."""
    done = subprocess.run(["sha256sum", "--quiet", "-c", MANIFEST], cwd=built / "checks", capture_output=True)
    assert done.returncode == 0, done.stdout


def test_a_changed_check_is_found(built, tmp_path):
    """Editing, deleting or adding a file of checks/ is reported by name."""
    checks = shutil.copytree(built / "checks", tmp_path / "checks")
    (checks / "test_step5_show_user.py").write_text("def test_nothing():\n    pass\n")
    (checks / "rubric.toml").unlink()
    (checks / "conftest_extra.py").write_text("")
    assert modified_checks(checks) == [
        "rubric.toml missing",
        "test_step5_show_user.py modified",
        "conftest_extra.py added",
    ]


def test_the_docs_links_resolve(built):
    """Every relative link of the handout's Markdown files points at a file of the handout."""
    for page in built.rglob("*.md"):
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            assert (page.parent / target.split("#")[0]).exists(), f"{page.relative_to(built)} → {target}"


def test_building_again_replaces_the_previous_build(built, tmp_path):
    """A second build replaces the first; a folder that is not a build is never deleted."""
    target = shutil.copytree(built, tmp_path / "again")
    (target / "stale.txt").write_text("left over")
    handout.build(target)
    assert not (target / "stale.txt").exists() and (target / "starter" / "app.py").is_file()
    other = tmp_path / "precious"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        handout.build(other)
    assert (other / "notes.txt").read_text() == "keep me"


def test_an_edited_rubric_ships_in_the_handout(tmp_path):
    """--rubric FILE puts the instructor's rubric in the handout, covered by the manifest; a broken one is refused."""
    mine = tmp_path / "mine.toml"
    default = (ROOT / "checks" / "rubric.toml").read_text()
    mine.write_text(default.replace("count_extras = true", "count_extras = false"))
    target = handout.build(tmp_path / "handout", rubric_file=mine)
    assert (target / "checks" / "rubric.toml").read_text() == mine.read_text()
    assert modified_checks(target / "checks") == []
    mine.write_text("count_extras = maybe")
    with pytest.raises(rubric.RubricError):
        handout.build(tmp_path / "other", rubric_file=mine)


def make_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """`make check` in a handout, with the kit's virtual environment (no download)."""
    return subprocess.run(
        ["make", "check", f"VENV={sys.prefix}"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_gives_the_starter_zero_with_hints(built, tmp_path):
    """Copied anywhere, the handout's `make check` grades the starter: zero, each failure with its hint."""
    done = make_check(shutil.copytree(built, tmp_path / "student"))
    assert done.returncode == 0, done.stderr
    assert re.search(r"total\s+0/100", done.stdout), done.stdout
    assert "hint: " in done.stdout and "read: docs/student/step-1.md" in done.stdout
    assert "warning" not in done.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_gives_the_solution_full_marks(built, tmp_path):
    """With the solution's files in its work folder, the handout's `make check` gives 100/100."""
    student = shutil.copytree(built, tmp_path / "student")
    skipped = shutil.ignore_patterns("instance", "__pycache__")
    shutil.copytree(SOLUTION, student / "starter", dirs_exist_ok=True, ignore=skipped)
    done = make_check(student)
    assert done.returncode == 0, done.stderr
    assert re.search(r"total\s+100/100", done.stdout), done.stdout
    assert "Every check passed." in done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_without_the_manifest_does_not_count(built, tmp_path):
    """A handout whose manifest was deleted (to hide an edited check) grades to 0, saying why."""
    student = shutil.copytree(built, tmp_path / "student")
    skipped = shutil.ignore_patterns("instance", "__pycache__")
    shutil.copytree(SOLUTION, student / "starter", dirs_exist_ok=True, ignore=skipped)
    (student / "checks" / MANIFEST).unlink()
    done = make_check(student)
    assert done.returncode == 0, done.stderr
    assert re.search(r"total\s+0/100", done.stdout), done.stdout
    assert "checks/MANIFEST.sha256 missing" in done.stdout and "does not count" in done.stdout
    assert "warning" in done.stderr
