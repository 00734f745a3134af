from challenges.views.organize import (
    confirm_matching,
    decide,
    decide_matching,
    decisions,
    export,
    extend,
    organize,
    reject_duplicates,
    review_queue,
)
from challenges.views.public import (
    challenge_detail,
    healthz,
    home,
    robots_txt,
    switch_language,
)
from challenges.views.validators import validators, void_validator

__all__ = [
    "challenge_detail",
    "confirm_matching",
    "decide",
    "decide_matching",
    "decisions",
    "export",
    "extend",
    "healthz",
    "home",
    "organize",
    "reject_duplicates",
    "review_queue",
    "robots_txt",
    "switch_language",
    "validators",
    "void_validator",
]
