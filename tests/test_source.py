"""Reading app.py for `python app.py` starting the server on port 5000 (step 1)."""

from __future__ import annotations

import pytest

from checks.source import main_block_problem

MAIN = 'if __name__ == "__main__":\n'


@pytest.mark.parametrize(
    "code",
    [
        MAIN + "    app.run()",
        MAIN + "    app.run(debug=True)",
        MAIN + '    app.run(host="0.0.0.0", port=5000)',
        MAIN + '    app.run("127.0.0.1", 5000)',
        MAIN + "    create_app().run()",
        MAIN + "    application = create_app()\n    application.run(debug=True)",
        "if '__main__' == __name__:\n    app.run()",
        "PORT = 5000\n" + MAIN + "    app.run(port=PORT)",
        MAIN + '    app.run(port=int(os.environ.get("PORT", 5000)))',
        "def main():\n    app.run()\n" + MAIN + "    main()",
    ],
)
def test_runs_on_the_default_port(code):
    """These all start the server on port 5000 when app.py is run."""
    assert main_block_problem(code) is None


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("app.run()", "while being imported"),
        ("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)", "at line 3 while being imported"),
        ("def main():\n    if __name__ == '__main__':\n        app.run()", "indented inside other code"),
        (MAIN + "    app.run()\n@app.get('/')\ndef home():\n    return 'hi'", "comes before code that defines"),
        (MAIN + "    print('hi')", "never calls `app.run()`"),
        (MAIN + "    app.run(port=8080)", "port 8080"),
        (MAIN + '    app.run("0.0.0.0", 8000)', "port 8000"),
        ("PORT = 3000\n" + MAIN + "    app.run(port=PORT)", "port 3000"),
        (MAIN + '    app.run(port=int(os.environ["PORT"]))', "never falls back on 5000"),
        ("def main(:\n    pass", "syntax error at line 1"),
        ("", "no `if __name__"),
    ],
)
def test_says_what_is_wrong(code, said):
    """Anything else gets a sentence naming the problem."""
    assert said in main_block_problem(code)
