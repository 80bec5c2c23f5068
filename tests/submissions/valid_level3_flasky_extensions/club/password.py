import hmac
import os


def is_club_password(given):
    expected = os.environ.get("CLUB_PASSWORD", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
