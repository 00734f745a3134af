from challenges.views.organize import (
    decide,
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

__all__ = [
    "challenge_detail",
    "decide",
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
]
