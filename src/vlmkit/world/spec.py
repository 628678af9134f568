"""The vocabulary of the scene world: scene types, object categories, colours, question kinds.

Everything else (drawing, questions, models, pipeline) reads these names from here, so adding
a category or a colour is a one-line change (the tiny models must then be retrained).
"""

IMAGE_SIZE = 128

SCENES = ("beach", "street", "park", "night", "kitchen")
CATEGORIES = ("tree", "house", "car", "boat", "sun", "person", "fish", "cloud")
PLURALS = {"person": "people", "fish": "fish"}  # irregular plurals; the rest add "s"

# Colour names and their base RGB; each object jitters its colour a little around the base.
# Brown, black and grey are left out on purpose: trunks, wheels, roads and outlines use them.
COLORS = {
    "red": (210, 40, 40),
    "orange": (245, 140, 30),
    "yellow": (245, 220, 40),
    "green": (40, 170, 60),
    "blue": (40, 90, 225),
    "purple": (140, 60, 190),
    "pink": (250, 135, 195),
    "white": (245, 245, 245),
}

# Which categories each scene may contain: the context a scene gives, not a rule of physics.
SCENE_CATEGORIES = {
    "beach": ("sun", "cloud", "boat", "fish", "person", "tree"),
    "street": ("sun", "cloud", "car", "house", "person", "tree"),
    "park": ("sun", "cloud", "car", "house", "person", "tree"),
    "night": ("cloud", "car", "house", "person", "tree", "boat"),
    "kitchen": ("person", "fish", "tree", "car", "boat"),
}

MAX_OBJECTS = 5
MAX_OVERLAP = 0.15  # intersection / area of the smaller box, for any two objects

QUESTION_TYPES = ("existence", "counting", "color", "scene", "spatial")


def plural(name: str) -> str:
    """'car' -> 'cars', 'person' -> 'people', 'fish' -> 'fish'."""
    return PLURALS.get(name, name + "s")


def singular(word: str) -> str | None:
    """The category a (possibly plural, any-case) word names, or None: 'People' -> 'person'."""
    word = word.strip().lower()
    for name in CATEGORIES:
        if word in (name, plural(name)):
            return name
    return None
