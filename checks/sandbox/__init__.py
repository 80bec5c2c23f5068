"""The student's app in a sandbox.

The grader's side: sandbox.py (the Sandbox, asked one request at a time), wsgi.py (RemoteApp, for
Flask's test client), process.py (starting and stopping child.py), protocol.py (the frames, and
checking what comes back), output.py, guard.py (what the grader counts), nursery.py (level 2's
forks), pytest_run.py (step 16's pytest). What the app sees: bubblewrap.py, cgroup.py, limits.py,
isolation.py. The app's side, run inside: child.py and pytest_child.py, scripts of their own.
"""
