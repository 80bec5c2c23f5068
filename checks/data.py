"""Random check data: fresh every run, repeatable from the run's seed.

Each check draws from its own generator, seeded by the run's seed and the
check's name, so `--step N` or a different order gives a check the same data
as the full run. Values avoid what a sane app may legitimately change:
no leading or trailing spaces, no doubled spaces, no HTML (except where a
check asks for it), no `/` in usernames.
"""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass

ADJECTIVES = ["Brave", "Quiet", "Lucky", "Sunny", "Clever", "Swift", "Gentle", "Bold", "Jolly", "Witty", "Calm"]
ANIMALS = ["Otter", "Falcon", "Panda", "Lynx", "Heron", "Koala", "Bison", "Gecko", "Marten", "Puffin", "Ibex", "Okapi"]
FIRST_NAMES = ["Zoë", "José", "Øyvind", "Siobhán", "Łukasz", "Chloé", "Müge", "Renée", "Anaïs", "Ngọc", "Ümit"]
LAST_NAMES = ["Ngũ", "Åberg", "Çelik", "Muñoz", "Hämäläinen", "Škoda", "Ørsted", "Lê", "Pérez", "Größer"]
FOODS = [
    "crème brûlée", "pad thai", "jollof rice", "bánh mì", "pão de queijo", "smørrebrød", "gulab jamun",
    "pierogi", "tteokbokki", "khachapuri", "açaí bowl", "falafel", "paella", "ramen", "poutine", "börek",
    "injera", "laksa", "café liégeois", "köttbullar", "dal makhani", "shakshuka",
]
FOOD_STYLES = ["spicy", "homemade", "grandma's", "late-night", "extra-large", "vegan", "crispy", "warm"]
GREETINGS = ["Hi", "Hello", "Hey there", "Greetings", "Grüße", "¡Hola", "Salut", "Ciao", "Hej", "Merhaba"]
TOPICS = ["chess", "jazz", "rock climbing", "origami", "tea", "rust", "knitting", "café culture", "naïve art", "sudoku"]


@dataclass(frozen=True)
class Profile:
    """What one POST /user/ sends (the password is added by whoever sends it)."""

    username: str
    food: str
    message: str

    def fields(self) -> dict[str, str]:
        return {"username": self.username, "food": self.food, "message": self.message}


class Data:
    """A check's own source of random values."""

    def __init__(self, seed: int, check: str):
        self.rng = random.Random(f"{seed}:{check}")

    def username(self) -> str:
        """A plain ASCII username such as 'BraveOtter4821'."""
        return f"{self.rng.choice(ADJECTIVES)}{self.rng.choice(ANIMALS)}{self.rng.randrange(1000, 100000)}"

    def accented_username(self) -> str:
        """A username with a space and non-ASCII letters, such as 'Zoë Ngũ 42'."""
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)} {self.rng.randrange(10, 1000)}"

    def food(self) -> str:
        return f"{self.rng.choice(FOOD_STYLES)} {self.rng.choice(FOODS)} no. {self.rng.randrange(2, 1000)}"

    def message(self) -> str:
        greeting = self.rng.choice(GREETINGS)
        topic = self.rng.choice(TOPICS)
        return f"{greeting}! Ask me about {topic}, any time (#{self.rng.randrange(100, 100000)})."

    def profile(self, *, accented: bool = False) -> Profile:
        name = self.accented_username() if accented else self.username()
        return Profile(name, self.food(), self.message())

    def profile_for(self, username: str) -> Profile:
        """A profile for a username already chosen (level 3: a registered member's)."""
        return Profile(username, self.food(), self.message())

    def profiles(self, fewest: int = 3, most: int = 5) -> list[Profile]:
        """Between `fewest` and `most` profiles, each with a username of its own."""
        found: dict[str, Profile] = {}
        wanted = self.rng.randint(fewest, most)
        while len(found) < wanted:
            profile = self.profile()
            found.setdefault(profile.username, profile)
        return list(found.values())

    def shuffled(self, items: list) -> list:
        """The items in a random order of this check's own (the same for the same seed)."""
        items = list(items)
        self.rng.shuffle(items)
        return items

    def html_message(self) -> tuple[str, str]:
        """A message that holds HTML, and the word that marks its injected elements."""
        word = f"{self.rng.choice(ANIMALS).lower()}{self.rng.randrange(1000, 100000)}"
        return f'<script>document.title = "{word}";</script> <b>{word}</b> & friends', word

    def password(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return "".join(self.rng.choice(alphabet) for _ in range(16))

    def member_password(self) -> str:
        """A password a member registers with (level 3): 12 to 24 letters and digits."""
        alphabet = string.ascii_letters + string.digits
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(12, 24)))

    def short_password(self) -> str:
        """A password /register must refuse: 1 to 7 letters and digits."""
        alphabet = string.ascii_letters + string.digits
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 7)))


def admin_username(seed: int) -> str:
    """A run's CLUB_ADMIN (level 3): a username drawn from the seed, like the checks' other usernames.

    Not a secret: only the member registered under it, with their own password, is the administrator.
    """
    return Data(seed, "CLUB_ADMIN").username()


def club_password() -> str:
    """A run's CLUB_PASSWORD: 16 letters and digits from `secrets`, never from the seed.

    A seed repeats a run's data; it must not give away the password, nor the
    password the seed (from which every value the checks will send follows).
    """
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(16))


def secret_key() -> str:
    """A run's SECRET_KEY for the app's sessions (level 2): random, never from the seed."""
    return secrets.token_hex(32)


def new_seed() -> int:
    """A 64-bit seed from `secrets`: too many to tabulate, printed so that a run can be repeated."""
    return secrets.randbits(64)
