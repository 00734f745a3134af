from scoring.views.gates import gates, grant_team, incentives_csv
from scoring.views.judging import judging_overview, override, publish
from scoring.views.leaderboard import leaderboard, leaderboard_csv, leaderboard_json
from scoring.views.recompute import recompute_progress
from scoring.views.team_score import team_score

__all__ = [
    "gates",
    "grant_team",
    "incentives_csv",
    "judging_overview",
    "leaderboard",
    "leaderboard_csv",
    "leaderboard_json",
    "override",
    "publish",
    "recompute_progress",
    "team_score",
]
