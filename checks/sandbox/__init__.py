"""The student's app in a sandbox: the grader's side (parent), the app's side (child), and what it may see."""
