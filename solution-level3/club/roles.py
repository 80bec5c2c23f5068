"""Roles: the administrator is the registered member named CLUB_ADMIN; everyone else is a member.

Worked out at each request rather than stored, so the environment decides:
CLUB_ADMIN unset or empty, there is no administrator. Only a registered
member can hold the role, and only a login with their own password uses it
(auth.py sees to that): logging in under that name with the club password
gives no rights.
"""

import os


def admin_name() -> str:
    """The administrator's username, CLUB_ADMIN; empty when there is none."""
    return os.environ.get("CLUB_ADMIN", "")


def role_of(username: str) -> str:
    """A registered member's role: "admin" for CLUB_ADMIN, "member" for anyone else."""
    admin = admin_name()
    return "admin" if admin and username == admin else "member"
