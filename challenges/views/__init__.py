from challenges.views.organize import decide, decisions, export, extend, organize, review_queue
from challenges.views.public import (
    challenge_detail,
    get_current_edition,
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
    "get_current_edition",
    "healthz",
    "home",
    "organize",
    "review_queue",
    "robots_txt",
    "switch_language",
]
