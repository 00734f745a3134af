"""Rules of the arena inside the platform (the preference challenge's battles).

- ``models_file``: the edition file's ``[[arena_models]]``.
- ``pairing``: which two models answer a battle.
- ``battles``: starting, continuing, settling and voting a battle.
- ``streaming``: one model's answer, streamed from its OpenAI-compatible API.
- ``ratings``: Bradley–Terry ratings with bootstrap intervals.
- ``exports``: FastChat's vote log and clean battle format.
"""
