"""Serve the club with waitress, a production WSGI server: ``python serve.py``.

``python app.py`` and ``flask --app app run`` start Flask's development
server, made for one person trying their code. This file is for letting
others in: waitress answers many visitors at once from a pool of threads,
copes with slow or broken clients, and is pure Python, so it runs on Windows
as well as on macOS and Linux. Debug mode stays off, and the club password
must be given: without it, the app would refuse every POST.

    CLUB_PASSWORD=open-sesame python serve.py             # http://127.0.0.1:5000/
    CLUB_PASSWORD=open-sesame PORT=8000 python serve.py   # another port

The settings come from the environment:

- CLUB_PASSWORD  the club password (required)
- SECRET_KEY     the key that signs the members' session cookies: set it, so that
                 a restart does not log everyone out (a random key otherwise)
- PORT           the port to listen on: 5000 unless set (0 picks a free one)
- HOST           the address to listen on: 127.0.0.1, this computer only,
                 unless set (HOST=0.0.0.0 lets in other computers too)
"""

from __future__ import annotations

import logging
import os
import sys

from waitress import serve

from app import app


def main() -> int:
    """Check the settings, then serve the club until Ctrl+C; the exit status."""
    if not os.environ.get("CLUB_PASSWORD"):
        return fail("set CLUB_PASSWORD to the club password first (say CLUB_PASSWORD=open-sesame python serve.py).")
    port = os.environ.get("PORT", "5000")
    if not (port.isdigit() and int(port) <= 65535):
        return fail(f"PORT must be a port number from 0 to 65535, not {port!r}.")

    app.debug = False  # even where FLASK_DEBUG is set: a visitor never sees a traceback
    # Show waitress's own lines, such as "Serving on http://127.0.0.1:5000".
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    serve(app, host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
    return 0


def fail(sentence: str) -> int:
    """Say on stderr why the server does not start; the exit status for that, 2."""
    print(f"serve.py: {sentence}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
