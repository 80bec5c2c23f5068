"""Random check data: fresh every run, repeatable from the run's seed.

Each check draws from its own generator, seeded by the run's seed and the
check's name, so `--step N` or a different order gives a check the same data
as the full run. Values avoid what a sane app may legitimately change:
no leading or trailing spaces, no doubled spaces, no HTML (except where a
check asks for it), no `/` in usernames.
"""

from __future__ import annotations

import random
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

    def html_message(self) -> tuple[str, str]:
        """A message that holds HTML, and the word that marks its injected elements."""
        word = f"{self.rng.choice(ANIMALS).lower()}{self.rng.randrange(1000, 100000)}"
        return f'<script>document.title = "{word}";</script> <b>{word}</b> & friends', word

    def password(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return "".join(self.rng.choice(alphabet) for _ in range(16))


def club_password(seed: int) -> str:
    """The run's CLUB_PASSWORD: random, but the same for the same seed."""
    return Data(seed, "CLUB_PASSWORD").password()


def new_seed() -> int:
    """A seed short enough to type back."""
    return random.SystemRandom().randrange(100000, 1000000)
