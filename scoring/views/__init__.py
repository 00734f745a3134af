from scoring.views.judging import judge_team, judging_home, judging_overview, override
from scoring.views.leaderboard import leaderboard, leaderboard_csv, leaderboard_json
from scoring.views.team_score import team_score

__all__ = [
    "judge_team",
    "judging_home",
    "judging_overview",
    "leaderboard",
    "leaderboard_csv",
    "leaderboard_json",
    "override",
    "team_score",
]
