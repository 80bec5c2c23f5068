"""The untrusted side: imports a student's app in its own process and serves it.

Run by the grader as `python -I -B child.py SUBMISSION_DIR LIMITS_JSON` (in the sandbox: `-I -S -B`), with
the submission as the working directory. It speaks to the grader over its
standard input and output in length-prefixed frames of JSON (never pickle, so
nothing the student's code sends can run code in the grader); everything the
student's code prints goes to standard error, which the grader reads apart.

This file is a script on its own: it imports nothing from the kit, so a
submission holding a module named like one of the kit's cannot shadow it.

Longer than 300 lines, and one file, for that reason: bubblewrap mounts this file
alone at /sandbox/child.py (bubblewrap.command), and any module of ours beside it
would sit in the app's own sys.modules, where a student's module of the same name
(a server.py, a nursery.py) would get ours instead. Its parts, in order: the framing
(protocol.py's, on this side), the limits, loading the app and the server loop;
level 3's extra requests; level 2's nursery and the clearing between its apps;
the reaper (no sandbox and no cgroup). pytest_child.py loads it by path for
set_limits, under a name of its own.

Its imports of Flask wait inside functions: Flask is on sys.path only once serve()
or the nursery has put the packages' folder there.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import select
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback

HEADER = struct.Struct(">I")
MAX_FRAME = 1 << 20


def read_frame(stream) -> bytes | None:
    """One frame from the grader, or None when it has closed the pipe."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    if size > MAX_FRAME + (64 << 20):
        return None
    data = stream.read(size)
    return data if len(data) == size else None


def write_frame(stream, data: bytes) -> None:
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def send(stream, message: dict, body: bytes | None = None) -> None:
    write_frame(stream, json.dumps(message).encode())
    if body is not None:
        write_frame(stream, body)


def where(error: BaseException, root: str) -> str:
    """' (app.py line 23)' for the deepest frame of the student's own files."""
    filename, lineno = getattr(error, "filename", None), getattr(error, "lineno", None)
    if isinstance(filename, str) and isinstance(lineno, int):  # SyntaxError, and Jinja's TemplateSyntaxError
        name = os.path.relpath(filename, root) if os.path.abspath(filename).startswith(root) else filename
        return f" ({name} line {lineno})"
    found = ""
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = os.path.abspath(frame.f_code.co_filename)
        if filename.startswith(root + os.sep):
            found = f" ({os.path.relpath(filename, root)} line {line})"
    return found


def describe(error: BaseException, root: str) -> str:
    """'KeyError: 'food' (app.py line 23)', cut to a readable length."""
    if isinstance(error, SyntaxError) or hasattr(error, "message") and hasattr(error, "lineno"):
        text = f"{type(error).__name__}: {getattr(error, 'msg', None) or error.message}"
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    text = text.replace(root.rstrip(os.sep) + os.sep, "")  # the copy's own paths, as the student knows them
    if len(text) > 300:
        text = text[:300] + "… (cut)"
    return text + where(error, root)


def own_tasks() -> int:
    """How many processes and threads this user runs now (Linux), for a process limit above it."""
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as status:
                    fields = dict(line.split(":", 1) for line in status if ":" in line)
                if int(fields["Uid"].split()[0]) == uid:
                    count += int(fields.get("Threads", "1"))
            except (OSError, ValueError, KeyError):
                continue
    return count


def set_limits(limits: dict) -> list[str]:
    """Cap memory, CPU time, file size, processes and core dumps before any student code runs.

    Returns every limit that could not be set, with why: the grader records them.
    """
    try:
        import resource  # not on Windows
    except ImportError:  # Windows: no rlimits
        return ["resource limits: this system has none (no memory, CPU, file size or process limit)"]
    unset = []
    processes = None
    if limits.get("processes"):
        if sys.platform == "linux":
            # RLIMIT_NPROC counts all of this user's tasks, so leave room above those already running
            # (in the sandbox, only its own: it has its own process namespace).
            processes = own_tasks() + limits["processes"]
        else:
            processes = limits["processes"]
        if os.geteuid() == 0 and not limits.get("counted"):  # a budget's pids.max binds root (cgroup.py)
            unset.append("RLIMIT_NPROC: the app runs as root, whom no process limit binds")
    caps = {
        "RLIMIT_AS": limits.get("memory_bytes"),
        "RLIMIT_CPU": limits.get("cpu_seconds"),
        "RLIMIT_FSIZE": limits.get("file_bytes"),
        "RLIMIT_NPROC": processes,
        "RLIMIT_CORE": 0,
        "RLIMIT_MSGQUEUE": 0,  # no POSIX message queue: nothing kept in one outlives the app
    }
    for name, value in caps.items():
        if value is None:
            continue
        if not hasattr(resource, name):
            unset.append(f"{name}: not on this system")
            continue
        kind = getattr(resource, name)
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError) as error:
            unset.append(f"{name}: {error}")
    if hasattr(signal, "SIGXFSZ"):
        # An oversized write then fails with an error the app sees, instead of killing it.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return unset


class RunAtImport(BaseException):
    """app.run() was called while app.py was being imported (a BaseException: `except Exception` can't hide it)."""


def refuse_run(self, *args, **kwargs):
    raise RunAtImport()


def load_app(root: str):
    """Import app.py as the module `app` and return (flask_app, None) or (None, failure)."""
    import flask  # on sys.path only once serve() (or the nursery) has put the packages' folder there

    path = os.path.join(root, "app.py")
    spec = importlib.util.spec_from_file_location("app", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    run, flask.Flask.run = flask.Flask.run, refuse_run
    try:
        spec.loader.exec_module(module)
    except SystemExit as error:
        return None, {"kind": "exit", "error": f"app.py called sys.exit({error.code!r}) while being imported"}
    except RunAtImport as error:
        return None, {
            "kind": "run",
            "error": "app.py calls app.run() while being imported, outside `if __name__ == \"__main__\":`"
            f"{where(error, root)}, so importing it starts a server that never returns",
        }
    except BaseException as error:  # noqa: BLE001 - anything the student's import raised
        return None, {"kind": "import", "error": f"importing app.py raised {describe(error, root)}"}
    finally:
        flask.Flask.run = run

    factory = getattr(module, "create_app", None)
    if callable(factory):
        try:
            app = factory()
        except SystemExit as error:
            return None, {"kind": "exit", "error": f"create_app() called sys.exit({error.code!r})"}
        except BaseException as error:  # noqa: BLE001
            return None, {"kind": "import", "error": f"create_app() raised {describe(error, root)}"}
        source = "create_app()"
    elif hasattr(module, "app"):
        app, source = module.app, "app"
    else:
        return None, {
            "kind": "noapp",
            "error": "app.py imports, but defines neither `app = Flask(__name__)` nor a `create_app()` factory",
        }
    if not isinstance(app, flask.Flask):
        return None, {
            "kind": "noapp",
            "error": f"{source} in app.py is a {type(app).__name__}, not a Flask app",
        }
    return app, None


class Server:
    """Answers the grader's requests with the student's app, one at a time."""

    def __init__(self, app, root: str, max_body: int):
        self.app = app
        self.root = root
        self.max_body = max_body
        self.exception: str | None = None
        self.server: int | None = None
        import flask  # on sys.path only once serve() (or the nursery) has put the packages' folder there

        flask.got_request_exception.connect(self.record, app, weak=False)

    def record(self, sender, exception: BaseException, **extra) -> None:
        self.exception = describe(exception, self.root)

    def handle(self, environ: dict, body: bytes) -> tuple[dict, bytes]:
        self.exception = None
        environ.update(
            {
                "wsgi.input": io.BytesIO(body),
                "wsgi.errors": sys.stderr,
                "wsgi.version": (1, 0),
                "wsgi.multithread": False,
                "wsgi.multiprocess": False,
                "wsgi.run_once": False,
            }
        )
        started: dict = {}

        def start_response(status, headers, exc_info=None):
            started["status"] = status
            started["headers"] = [[str(k), str(v)] for k, v in headers]

        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            result = self.app(environ, start_response)
            try:
                for chunk in result:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > self.max_body:
                        truncated = True
                        break
            finally:
                if hasattr(result, "close"):
                    result.close()
        except BaseException as error:  # noqa: BLE001 - report, don't die
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                self.exception = f"{type(error).__name__} {error}".strip() + where(error, self.root)
            else:
                self.exception = describe(error, self.root)
            started = {"status": "500 INTERNAL SERVER ERROR", "headers": [["Content-Type", "text/plain"]]}
            chunks, truncated = [], False
        data = b"".join(chunks)[: self.max_body]
        answer = {
            "status": started.get("status", "500 INTERNAL SERVER ERROR"),
            "headers": started.get("headers", []),
            "exception": self.exception,
            "truncated": truncated,
        }
        return answer, data

    def serve_http(self, streams) -> dict:
        """Start the app as a real HTTP server on a free port of 127.0.0.1, in a forked process."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        run = {"host": "127.0.0.1", "port": port, "debug": False, "use_reloader": False, "load_dotenv": False}
        if not hasattr(os, "fork"):
            thread = threading.Thread(target=self.app.run, kwargs=run, daemon=True)
            thread.start()
            return {"ok": True, "port": port}
        self.stop_serving()
        pid = os.fork()
        if pid == 0:  # the server process
            code = 0
            try:
                for stream in streams:
                    stream.close()
                self.app.run(**run)
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        self.server = pid
        return {"ok": True, "port": port}

    @staticmethod
    def http_get(port: int, path: str, timeout: float, limit: int = 64 << 10) -> tuple[dict, bytes]:
        """GET path from 127.0.0.1:port over real HTTP: what came back (at most `limit` bytes) within `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=0.5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    return {"error": "no server"}, b""
                time.sleep(0.02)
        received = bytearray()
        try:
            with connection:
                request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                connection.sendall(request.encode("latin-1"))
                while len(received) < limit:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return {"error": "too slow"}, b""
                    connection.settimeout(left)
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    received += chunk
        except TimeoutError:
            return {"error": "too slow"}, b""
        except OSError as error:
            return {"error": f"{type(error).__name__}: {error}"}, b""
        return {"ok": True}, bytes(received[:limit])

    def stop_serving(self) -> dict:
        if self.server is not None:
            try:
                os.kill(self.server, signal.SIGKILL)
                os.waitpid(self.server, 0)
            except OSError:
                pass
            self.server = None
        return {"ok": True}


# -- level 3: the factory's other apps, and the app's temporary folder ---------------------------


def make_apps(server: Server, others: dict) -> dict:
    """Call create_app(), create_app("default") and create_app("testing") in this process (step 12).

    Says of each what step 12 asks (new or made before, TESTING, its blueprints and URL rules), and
    keeps the named ones in `others`: a request may then name one ({"op": "request", "app": "testing"}).
    """
    import flask  # on sys.path only once serve() (or the nursery) has put the packages' folder there

    factory = getattr(sys.modules.get("app"), "create_app", None)
    if not callable(factory):
        return {"error": "app.py defines no create_app() factory"}
    made: list = [server.app, *(other.app for other in others.values())]
    report = {}
    for call, args in (("create_app()", ()), ('create_app("default")', ("default",)),
                       ('create_app("testing")', ("testing",))):
        try:
            app = factory(*args)
            if not isinstance(app, flask.Flask):
                report[call] = {"error": f"{call} returned a {type(app).__name__}, not a Flask app"}
                continue
            report[call] = {
                "new": all(app is not seen for seen in made),
                "testing": bool(app.config.get("TESTING")),
                "shown": repr(app.config.get("TESTING"))[:60],
                "blueprints": sorted(str(name) for name in app.blueprints)[:200],
                "rules": [[str(rule.rule), str(rule.endpoint)] for rule in app.url_map.iter_rules()][:500],
            }
        except BaseException as error:  # noqa: BLE001 - anything the student's factory raised
            report[call] = {"error": f"{call} raised {describe(error, server.root)}"}
            continue
        made.append(app)
        if args:
            others[args[0]] = Server(app, server.root, server.max_body)
    return report


def temp_files(each: int = 1 << 20, total: int = 2 << 20) -> dict:
    """What the app's temporary folder holds (step 13's scan): regular files only, links not followed, bounded."""
    folder = os.environ.get("TMPDIR") or "/tmp"
    found, size = [], 0
    for top, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(top, name)
            try:
                descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            with os.fdopen(descriptor, "rb") as file:
                try:
                    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                        continue
                    data = file.read(min(each, total - size))
                except OSError:
                    continue
            size += len(data)
            found.append([os.path.relpath(path, folder), base64.b64encode(data).decode()])
            if size >= total:
                return {"files": found, "cut": True}
    return {"files": found, "cut": False}


def serve(root: str, limits: dict) -> None:
    """Import the app in `root` and answer the grader's frames on standard input and output until it closes them."""
    # Keep private copies of the pipes to the grader, then point the standard
    # streams elsewhere: the student's prints must never reach the protocol.
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    unset = set_limits(limits)
    send(answers, {"started": True, "unset": unset})  # the launcher (and the sandbox, where there is one) worked
    sys.stdout = io.TextIOWrapper(
        os.fdopen(1, "wb", buffering=0), encoding="utf-8", errors="replace", line_buffering=True
    )
    os.chdir(root)
    sys.path[:0] = [root, *limits.get("path", [])]  # in the sandbox: /packages, the packages an app may import
    sys.argv = [os.path.join(root, "app.py")]

    app, failure = load_app(root)
    if failure:
        send(answers, {"ready": False, **failure})
        return
    server = Server(app, root, limits.get("max_body", 2 << 20))
    send(answers, {"ready": True})
    others: dict = {}  # level 3: the apps of create_app("default") and create_app("testing") (make_apps)
    while True:
        frame = read_frame(requests)
        if frame is None:
            return
        message = json.loads(frame)
        if message.get("op") == "request":
            body = read_frame(requests)
            if body is None:
                return
            target = others.get(message["app"]) if message.get("app") else server
            if target is None:
                answer, data = {"status": "500 INTERNAL SERVER ERROR", "headers": [], "exception": "no such app"}, b""
            else:
                answer, data = target.handle(message["environ"], body)
            send(answers, answer, data)
        elif message.get("op") == "serve":
            send(answers, server.serve_http((requests, answers)))
        elif message.get("op") == "http_get":
            answer, data = server.http_get(int(message["port"]), str(message["path"]), float(message["timeout"]))
            send(answers, answer, data)
        elif message.get("op") == "stop_serving":
            send(answers, server.stop_serving())
        elif message.get("op") == "make_apps":
            send(answers, make_apps(server, others))
        elif message.get("op") == "temp_files":
            send(answers, temp_files())
        else:
            send(answers, {"error": f"unknown op {message.get('op')!r}"})


# -- the nursery: one sandbox that starts an app for every fresh copy ---------------------------
#
# Level 2 runs each check on a fresh copy of the submission, in a new process. Importing Flask and
# Pillow is most of a new process's time, so in the sandbox one process (the sandbox's first, its
# init) imports them once, and forks a new process for each copy: the fork imports the student's
# app.py from its copy, as a new process would. Between two checks every other process of the
# sandbox is killed and /tmp is emptied, so nothing of one check's app reaches the next.

PR_SET_DUMPABLE = 4


def set_dumpable(value: int) -> None:
    """Allow or forbid reading this process's memory and open files (/proc/PID/mem, ptrace) to its peers."""
    try:
        import ctypes  # the nursery's and the reaper's only: an app's start-up does not pay for it

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def exit_code(status: int) -> int:
    """A wait status as subprocess gives it: the exit code, or minus the signal's number."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1


def reap(control, apps: set[int], block: bool = False) -> None:
    """Collect every exited process (the nursery is their init); tell the grader which apps ended, and how."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in apps:
            apps.discard(pid)
            control.send(json.dumps({"exited": pid, "code": exit_code(status)}).encode())


def empty(folder: str) -> None:
    """Remove everything in `folder` (the sandbox's /tmp), whatever it holds and whatever modes the apps set.

    Folder by folder through one descriptor at a time (no path grows past PATH_MAX, no recursion and no
    descriptor per level, however deep), each folder made the owner's own first: a folder chmod 0500,
    0300 or 0000 keeps nothing for the next app. Called once no app is left to change the tree under it.
    """
    current = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    stack = [(None, iter(os.listdir(current)))]  # (a folder's name in its parent, what is left of its listing)
    while stack:
        name, left = stack[-1]
        for entry in left:
            try:
                mode = os.stat(entry, dir_fd=current, follow_symlinks=False).st_mode
                if not stat.S_ISDIR(mode):
                    os.unlink(entry, dir_fd=current)
                    continue
                os.chmod(entry, 0o700, dir_fd=current)  # a folder (just seen as one, never a link)
                inner = os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=current)
            except OSError:
                continue
            os.close(current)
            current = inner
            stack.append((entry, iter(os.listdir(current))))
            break
        else:
            stack.pop()
            if name is None:
                break
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
            os.close(current)
            current = parent
            try:
                os.rmdir(name, dir_fd=current)
            except OSError:
                pass
    os.close(current)


def clear(control, apps: set[int]) -> None:
    """Kill every process of the sandbox but this one, wait until they are gone, and empty /tmp."""
    while True:
        try:
            os.kill(-1, signal.SIGKILL)  # every process this one may signal: all of the sandbox's but its init
        except ProcessLookupError:
            pass
        reap(control, apps, block=True)
        if not [entry for entry in os.listdir("/proc") if entry.isdigit() and int(entry) != os.getpid()]:
            break
    empty("/tmp")
    remove_shared_memory()


CLONE_NEWIPC = 0x08000000
IPC_RMID = 0


def remove_shared_memory() -> None:
    """Remove every SysV shared memory segment, semaphore set and message queue the nursery can see.

    Each app has an IPC namespace of its own (own_ipc), gone with its last process; this is for a
    nursery whose apps could not have one.
    """
    import ctypes  # the nursery's and the reaper's only: an app's start-up does not pay for it

    libc = ctypes.CDLL(None, use_errno=True)
    for kind, remove in (("shm", lambda id: libc.shmctl(id, IPC_RMID, None)),
                         ("msg", lambda id: libc.msgctl(id, IPC_RMID, None)),
                         ("sem", lambda id: libc.semctl(id, 0, IPC_RMID))):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                lines = table.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            words = line.split()
            if len(words) > 1 and words[1].isdigit():
                remove(int(words[1]))


def own_ipc() -> None:
    """Give this app an IPC namespace of its own, then drop every capability before any of its code runs.

    The nursery holds CAP_SYS_ADMIN in the sandbox's user namespace for this alone: SysV shared memory,
    semaphores and message queues then die with the app, as in a sandbox of its own, and a restarted app
    finds none of them. Exits if a capability is left.
    """
    import ctypes  # the nursery's and the reaper's only: an app's start-up does not pay for it

    libc = ctypes.CDLL(None, use_errno=True)
    libc.unshare(CLONE_NEWIPC)  # where it fails, the nursery removes what the apps made (remove_shared_memory)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    libc.capset(header, (ctypes.c_uint32 * 6)())  # effective, permitted, inheritable: none
    with open("/proc/self/status") as status:
        held = {line.split(":")[0]: int(line.split()[1], 16) for line in status if line.startswith("Cap")}
    if held.get("CapEff") or held.get("CapPrm") or held.get("CapAmb"):
        os._exit(1)


def become_app(root: str, limits: dict, fds: list[int], control) -> None:
    """In the forked process: take the app's three pipes as standard streams, then serve the app in `root`."""
    code = 0
    try:
        control.close()
        for target, descriptor in enumerate(fds):
            os.dup2(descriptor, target)
        os.closerange(3, 1 << 16)  # nothing of the nursery's: not its pipe to the grader, not other apps'
        own_ipc()
        set_dumpable(1)
        for name in ("SIGCHLD", "SIGPIPE"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        os.setsid()
        serve(root, limits)
    except BaseException:  # noqa: BLE001 - whatever happens, never return into the nursery's loop
        code = 1
    finally:
        os._exit(code)


WARM_UP_LAYOUT = (
    "<title>{% block title %}{% endblock %}</title>"
    "{% for m in get_flashed_messages() %}{{ m }}{% endfor %}{% block content %}{% endblock %}"
)
WARM_UP_PAGE = (
    '{% extends "layout.html" %}{% block content %}<a href="{{ url_for("page", name=name) }}">'
    "{{ name|e }}</a>{% if name %}{{ name|length }}{% endif %}{% endblock %}"
)


def warm_up() -> bool:
    """Have Flask, Jinja and Pillow do once, in the nursery, what every app's first requests would do again.

    A forked app inherits what its parent has loaded: Flask's and Werkzeug's lazily imported parts,
    Jinja's lexer and compiler, Pillow's image formats, the patterns they compile. So a small app of the
    nursery's own (never the student's, with nothing of the run's: no password, no key) answers a
    form, a session, a redirect, an upload and a page from templates once; each fresh app then starts
    about 10 ms sooner, and does exactly what it would have done. Whatever fails here is left undone
    (False).
    """
    import tempfile  # the nursery's only: an app's start-up does not pay for it

    try:
        import flask  # on sys.path only once the nursery has put the packages' folder there

        with tempfile.TemporaryDirectory() as folder:
            os.mkdir(os.path.join(folder, "templates"))
            for name, text in (("layout.html", WARM_UP_LAYOUT), ("page.html", WARM_UP_PAGE)):
                with open(os.path.join(folder, "templates", name), "w", encoding="utf-8") as file:
                    file.write(text)
            app = flask.Flask("flask_club_warm_up", root_path=folder)
            app.secret_key = "warm-up"

            @app.route("/page/<name>", methods=["GET", "POST"])
            def page(name):
                if flask.request.method == "POST":
                    flask.session["name"] = flask.request.form.get("name", "")
                    upload = flask.request.files.get("photo")
                    if upload is not None:
                        warm_up_image(upload.stream)
                    flask.flash("saved")
                    return flask.redirect(flask.url_for("page", name=name))
                if name == "missing":
                    flask.abort(404)
                return flask.render_template("page.html", name=flask.session.get("name", name))

            client = app.test_client()
            answers = [
                client.get("/page/missing").status_code,
                client.post("/page/a", data={"name": "b", "photo": (io.BytesIO(warm_up_png()), "a.png")}).status_code,
                client.get("/page/a").status_code,
            ]
        return answers == [404, 302, 200]
    except Exception:  # noqa: BLE001 - an app that starts a little later, nothing more
        return False


def warm_up_png() -> bytes:
    try:
        from PIL import Image  # on sys.path only once the nursery has put the packages' folder there

        data = io.BytesIO()
        Image.new("RGB", (2, 2)).save(data, "PNG")
        return data.getvalue()
    except Exception:  # noqa: BLE001 - no Pillow: the upload is any bytes
        return b"not an image"


def warm_up_image(stream) -> None:
    try:
        from PIL import Image  # on sys.path only once the nursery has put the packages' folder there

        with Image.open(stream) as image:
            image.verify()
    except Exception:  # noqa: BLE001
        pass


def nursery(folder: str, limits: dict) -> None:
    """Import Flask and Pillow once, then fork an app for each copy the grader names, on its own pipes.

    The grader speaks on standard input, a Unix socket of datagrams: {"op": "spawn", "copy": NAME} with
    the app's three pipes attached, answered {"spawned": PID}; {"op": "clear"}, answered {"cleared": true}
    once every app is gone. {"exited": PID, "code": N} says an app ended.
    """
    control = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1):
        os.dup2(devnull, target)
    os.close(devnull)
    sys.path[:0] = limits.get("path", [])
    for name in ("flask", "PIL.Image"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    warm_up()
    sys.path[:] = [entry for entry in sys.path if entry not in limits.get("path", [])]
    set_dumpable(0)  # its apps run as the same user: none may read or patch the nursery
    apps: set[int] = set()
    control.send(json.dumps({"started": True}).encode())
    while True:
        readable, _, _ = select.select([control], [], [], 0.05)
        reap(control, apps)
        if not readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
        except OSError:
            return
        if not data:
            return
        try:
            reply = answer(json.loads(data), fds, folder, limits, control, apps)
        finally:
            for descriptor in fds:
                os.close(descriptor)  # a forked app has its own copies
        control.send(json.dumps(reply).encode())


def answer(message: dict, fds: list[int], folder: str, limits: dict, control, apps: set[int]) -> dict:
    """Do what the grader asks (fork an app on a copy, or clear them all) and say what was done."""
    op = message.get("op")
    if op == "clear":
        clear(control, apps)
        return {"cleared": True}
    if op != "spawn" or len(fds) != 3:
        return {"error": f"unknown op {op!r}"}
    name = str(message.get("copy", ""))
    root = os.path.join(folder, name)
    if "/" in name or name in ("", ".", "..") or not os.path.isdir(root):
        return {"error": f"no copy named {name!r}"}
    try:
        pid = os.fork()
    except OSError as error:  # the process limit, reached by what the last app left: clear first
        return {"error": f"could not fork: {error.strerror}"}
    if pid == 0:
        become_app(root, limits, fds, control)  # never returns
    apps.add(pid)
    return {"spawned": pid}


# -- without a sandbox or a cgroup: a reaper, that every process the app leaves falls to ----------

PR_SET_CHILD_SUBREAPER = 36


def children() -> list[int]:
    """The processes whose parent is this one (Linux's /proc)."""
    found = []
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as file:
                fields = file.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and fields[1].decode() == me:
            found.append(int(entry))
    return found


def kill_descendants(deadline: float) -> None:
    """Kill every child, and every process that falls to this one as they die, until none is left."""
    while time.monotonic() < deadline:
        for pid in children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return  # no child left, and none can come: every descendant is gone
        time.sleep(0.01)


def reaper(root: str, limits: dict) -> None:
    """Fork the app, and stay its parent: processes it leaves (a `setsid` double fork) fall to this one.

    When the app exits, or the grader sends SIGTERM, every process left is killed, then this one exits.
    Without a sandbox the app runs as the grader's user: this finds its processes however they detach,
    so that none is left holding the grader's pipes.
    """
    import ctypes  # the nursery's and the reaper's only: an app's start-up does not pay for it

    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        serve(root, limits)  # no reaper here: the app alone (the grader kills its process group)
        return
    app = os.fork()
    if app == 0:  # the app, in the reaper's process group: the grader kills that group last of all
        serve(root, limits)
        return
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)  # the grader's pipes stay with the app: they end when its processes do
    os.close(devnull)
    signal.signal(signal.SIGTERM, stop_reaping)
    code = 0
    try:
        while True:
            pid, status = os.waitpid(-1, 0)
            if pid == app:
                code = exit_code(status)
                break
    except (ChildProcessError, StopReaping):
        pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    kill_descendants(time.monotonic() + 4)
    if code < 0:  # the app was killed by a signal: so is the reaper, for the grader to say which
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


class StopReaping(Exception):
    """The grader sent SIGTERM: stop the app and all it left."""


def stop_reaping(*_) -> None:
    raise StopReaping()


def main() -> None:
    root = os.path.abspath(sys.argv[1])
    limits = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    if limits.get("nursery"):
        nursery(root, limits)
    elif limits.get("reaper") and hasattr(os, "fork"):
        reaper(root, limits)
    else:
        serve(root, limits)


if __name__ == "__main__":
    main()
