"""What judges and teams check on a repository of the organization, as pure functions over plain
data (names, card text and metadata, file list, commits): naming, card checklists, deadlines,
and which team a repository belongs to.

The card checks look for the topics HACKATHON.md lists, in Spanish, Portuguese or English; they
say whether a topic is mentioned, not whether it is well written: judges decide that.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext_lazy as _

PREFERRED_LICENSE = "apache-2.0"
# Commit authors that are not people: the Hub's own initial commit, bots.
NON_PERSON_AUTHORS = frozenset({"system", "huggingface", "hf-bot", "platform-bot"})


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    ok: bool
    detail: str = ""
    # A warning does not make the repository fail its checklist (e.g. a licence other than
    # apache-2.0 with a reason).
    warning: bool = False


# --- the card ------------------------------------------------------------------------------------

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


class CardError(ValueError):
    """The card's YAML metadata cannot be read."""


def split_card(readme: str) -> tuple[dict, str]:
    """The card's metadata (YAML front matter) and its text. Raises CardError on broken YAML."""
    match = FRONT_MATTER.match(readme or "")
    if not match:
        return {}, readme or ""
    try:
        metadata = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise CardError(str(error)) from error
    if not isinstance(metadata, dict):
        raise CardError("the metadata is not a mapping")
    return metadata, readme[match.end() :]


def _mentions(text: str, words: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in words)


# Each topic and the words (es, pt, en) that show it is covered.
TOPICS: dict[str, tuple[str, ...]] = {
    "motivation": ("motivation", "motivación", "motivacion", "motivação", "motivacao", "impact"),
    # Stems: "proces" covers process/proceso/procesado/processamento, "genera" generated/
    # generación/generaron.
    "process": (
        "proces",
        "genera",
        "gerad",
        "geraç",
        "creat",
        "creaci",
        "criaç",
        "collect",
        "recolec",
        "recopil",
        "colet",
        "annotat",
        "anotac",
        "anotaç",
    ),
    "code": ("github.com", "gitlab.com", "colab.research", ".ipynb", "/spaces/", "code", "código"),
    "bias": ("bias", "sesgo", "viés", "vies", "enviesamento"),
    "environment": ("co2", "carbon", "carbono", "emission", "emisiones", "emissões", "energy"),
    "future": ("future", "futur", "next steps", "próximos pasos", "próximos passos"),
    "sdg": ("sdg", "ods", "sustainable development", "desarrollo sostenible", "sustentável"),
    "team": ("team", "equipo", "equipe", "integrantes", "members", "miembros", "membros"),
    "license_reason": ("licen",),
}

LABELS = {
    "card": _("Card (README.md) present"),
    "metadata": _("Card metadata readable"),
    "motivation": _("Motivation and impact"),
    "process": _("How the data was generated and processed"),
    "code": _("Libraries and links to the code"),
    "license": _("Licence (apache-2.0 preferred, otherwise say why)"),
    "bias": _("Bias evaluation"),
    "environment": _("Environmental impact (co2_eq_emissions)"),
    "dataset_links": _("Links to the datasets"),
    "notebooks": _("Training notebooks in the repository"),
    "future": _("Future ideas"),
    "sdg": _("Sustainable development goal (optional)"),
    "links": _("Links to the team's dataset and model"),
    "team": _("Team members"),
    "running": _("Space running"),
}


def _item(key: str, ok: bool, detail: str = "", *, warning: bool = False) -> CheckItem:
    return CheckItem(key=key, label=str(LABELS[key]), ok=ok, detail=detail, warning=warning)


def _license_item(metadata: Mapping, text: str) -> CheckItem:
    license_name = metadata.get("license")
    if isinstance(license_name, list):
        license_name = ", ".join(str(name) for name in license_name)
    if not license_name:
        return _item("license", False, str(_("No licence in the card metadata.")))
    if str(license_name).lower() == PREFERRED_LICENSE:
        return _item("license", True, str(license_name))
    explained = _mentions(text, TOPICS["license_reason"])
    detail = _("%(license)s: say in the card why not apache-2.0.") % {"license": license_name}
    return _item("license", True, str(detail), warning=not explained)


def check_card(
    *,
    repo_type: str,
    readme: str,
    files: Sequence[str] = (),
    runtime_stage: str = "",
    team_repos: Iterable[str] = (),
) -> list[CheckItem]:
    """The card checklist of HACKATHON.md for one repository.

    Datasets and models: motivation and impact, generation and processing, links to code,
    licence (apache-2.0 preferred, otherwise a reason), bias evaluation. Models also:
    environmental impact (the co2_eq_emissions metadata or a section), links to the datasets,
    training notebooks in the repository. Spaces: motivation, impact, future ideas, an optional
    sustainable development goal, links to the team's dataset and model, team members, and the
    Space running.
    """
    items: list[CheckItem] = []
    has_card = bool((readme or "").strip()) or "README.md" in files
    items.append(_item("card", has_card and bool((readme or "").strip())))
    try:
        metadata, text = split_card(readme)
        items.append(_item("metadata", True))
    except CardError as error:
        metadata, text = {}, readme or ""
        items.append(_item("metadata", False, str(error)[:200]))
    text_lower = (readme or "").lower()

    def topic(key: str, *, optional: bool = False) -> CheckItem:
        found = _mentions(text, TOPICS[key])
        return _item(key, found or optional, warning=optional and not found)

    if repo_type in ("dataset", "model"):
        items += [topic("motivation"), topic("process"), topic("code")]
        items.append(_license_item(metadata, text))
        items.append(topic("bias"))
    if repo_type == "model":
        emissions = metadata.get("co2_eq_emissions")
        items.append(
            _item("environment", bool(emissions) or _mentions(text, TOPICS["environment"]))
        )
        dataset_links = metadata.get("datasets") or ("huggingface.co/datasets/" in text_lower)
        items.append(_item("dataset_links", bool(dataset_links)))
        notebooks = [name for name in files if name.endswith(".ipynb")]
        items.append(_item("notebooks", bool(notebooks), ", ".join(notebooks[:5])))
    if repo_type == "space":
        items += [topic("motivation"), topic("future"), topic("sdg", optional=True)]
        linked = [repo for repo in team_repos if repo.lower() in text_lower]
        missing = [repo for repo in team_repos if repo.lower() not in text_lower]
        detail = ", ".join(missing) if missing else ", ".join(linked)
        items.append(_item("links", bool(linked) and not missing, detail))
        items.append(topic("team"))
        items.append(_item("running", runtime_stage == "RUNNING", runtime_stage))
    return items


# --- naming --------------------------------------------------------------------------------------

NAME_KEYWORDS = ("prompt", "dpo", "kto", "image")
PREFERENCE_COLUMNS = {"dpo": {"chosen", "rejected"}, "kto": {"completion", "label"}}


def column_names(metadata: Mapping) -> set[str]:
    """The column names a dataset card's `dataset_info` declares (any config)."""
    infos = metadata.get("dataset_info") or []
    if isinstance(infos, dict):
        infos = [infos]
    names: set[str] = set()
    for info in infos:
        if isinstance(info, dict):
            for feature in info.get("features") or []:
                if isinstance(feature, dict) and feature.get("name"):
                    names.add(str(feature["name"]).lower())
    return names


def dataset_kind(*, columns: set[str]) -> str:
    """What a dataset is by the columns its card declares: "dpo" (chosen/rejected), "kto"
    (completion/label), "prompt" (arena prompts: a prompt column, or question and país),
    or "" when the columns do not say."""
    if PREFERENCE_COLUMNS["dpo"] <= columns:
        return "dpo"
    if PREFERENCE_COLUMNS["kto"] <= columns:
        return "kto"
    if "prompt" in columns or ("question" in columns and "pais" in columns):
        return "prompt"
    return ""


# The challenge kinds (challenges.models.Challenge.Kind values) repositories serve.
PREFERENCES, ALIGNMENT, DEMO = "preferences", "alignment", "demo"


def served_challenge(*, repo_type: str, name: str, columns: set[str], declared: bool) -> str:
    """The challenge a repository serves, whose deadline its late commits are judged against.

    A Space is a demo. A dataset a team declares in its project is its alignment dataset; an
    undeclared arena prompt dataset (its columns say so, or without columns its name contains
    `prompt`, the naming rule) serves the preferences challenge. Everything else (models,
    other datasets) serves alignment.
    """
    if repo_type == "space":
        return DEMO
    if repo_type == "dataset" and not declared:
        kind = dataset_kind(columns=columns)
        if kind == "prompt" or (not kind and "prompt" in name.lower()):
            return PREFERENCES
    return ALIGNMENT


def check_dataset_name(*, name: str, columns: set[str], track: str = "") -> list[CheckItem]:
    """The naming rules for datasets of the organization: a team's arena prompt dataset contains
    `prompt`, preference datasets contain `dpo` or `kto`, multimodal datasets `image`.

    What a dataset is comes from its columns when the card declares them (chosen/rejected:
    DPO, completion/label: KTO, prompt alone: arena prompts, an image column: multimodal) and,
    for track B (multimodal) teams, from the track.
    """
    lowered = name.lower()
    items: list[CheckItem] = []
    kind = dataset_kind(columns=columns)
    if kind == "dpo":
        ok = "dpo" in lowered
        items.append(_naming("dpo", ok, _("A DPO preference dataset: its name contains “dpo”.")))
    elif kind == "kto":
        ok = "kto" in lowered
        items.append(_naming("kto", ok, _("A KTO preference dataset: its name contains “kto”.")))
    elif kind == "prompt":
        ok = "prompt" in lowered
        message = _("An arena prompt dataset: its name contains “prompt”.")
        items.append(_naming("prompt", ok, message))
    if "image" in columns or track == "B":
        ok = "image" in lowered
        items.append(_naming("image", ok, _("A multimodal dataset: its name contains “image”.")))
    if not items:
        ok = any(keyword in lowered for keyword in NAME_KEYWORDS)
        message = _("The name says what the dataset is: prompt, dpo, kto or image.")
        items.append(_naming("keyword", ok, message, warning=not ok))
    return items


def _naming(key: str, ok: bool, label, *, warning: bool = False) -> CheckItem:
    return CheckItem(key=f"name_{key}", label=str(label), ok=ok or warning, warning=warning)


# --- deadlines -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineReport:
    deadline: dt.datetime | None
    commit_at_deadline: dict | None  # the newest commit not after the deadline
    late_commits: list[dict]  # commits after the deadline, newest first


def parse_commit_date(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_deadline(*, commits: Sequence[Mapping], deadline: dt.datetime | None) -> DeadlineReport:
    """Commits after the deadline (Anywhere on Earth, already in the deadline) and the commit
    the repository was at when the deadline passed: what judges look at."""
    if deadline is None:
        return DeadlineReport(deadline=None, commit_at_deadline=None, late_commits=[])
    late, at_deadline = [], None
    for commit in commits:  # newest first
        if parse_commit_date(commit["date"]) > deadline:
            late.append(dict(commit))
        elif at_deadline is None:
            at_deadline = dict(commit)
    return DeadlineReport(deadline=deadline, commit_at_deadline=at_deadline, late_commits=late)


# --- which team a repository belongs to ----------------------------------------------------------


@dataclass(frozen=True)
class LinkDecision:
    status: str  # hub.models.LinkStatus values
    team_id: int | None
    # Why, in no language (kind and the names it cites; see describe_link), so that a sync
    # run in the background does not store its own language's sentence for every page.
    reason: dict = field(default_factory=dict)

    @property
    def note(self) -> str:
        return describe_link(self.reason)


def describe_link(reason: dict) -> str:
    """The sentence for a link's reason, in the active language ("" for none)."""
    kind = reason.get("kind")
    if kind == "confirmed":
        return str(_("Confirmed by an organizer."))
    if kind == "declared_by_several":
        return _("Declared by several teams: %(teams)s.") % {"teams": ", ".join(reason["teams"])}
    if kind == "authors_elsewhere":
        return _("Declared by %(declared)s, but its commits are by members of %(authors)s.") % {
            "declared": ", ".join(reason["declared"]),
            "authors": ", ".join(reason["authors"]),
        }
    if kind == "authored_by_team":
        return _("Every commit is by members of this team (%(authors)s).") % {
            "authors": ", ".join(reason["authors"])
        }
    return ""


def people_among(authors: Iterable[str]) -> set[str]:
    return {a.lower() for a in authors if a and a.lower() not in NON_PERSON_AUTHORS}


def decide_link(
    *,
    declared_by: set[int],
    author_teams: Mapping[str, int | None],
    team_names: Mapping[int, str],
    confirmed_team_id: int | None = None,
    confirmed: bool = False,
) -> LinkDecision:
    """Which team a repository belongs to: at most one.

    An organizer's confirmation stands. Otherwise a repository declared by one team is that
    team's, unless its commit authors are all members of another team (conflict); declared by
    several teams is a conflict; declared by none, it is proposed for the team whose members
    wrote all its commits (people, not bots). Conflicts go to organizers.
    """
    if confirmed:
        return LinkDecision("confirmed", confirmed_team_id, {"kind": "confirmed"})
    author_team_ids = set(author_teams.values())
    proposed = None
    if author_teams and None not in author_team_ids and len(author_team_ids) == 1:
        proposed = next(iter(author_team_ids))

    def names(ids: Iterable[int]) -> list[str]:
        return sorted(team_names.get(i, str(i)) for i in ids)

    if len(declared_by) > 1:
        return LinkDecision(
            "conflict", None, {"kind": "declared_by_several", "teams": names(declared_by)}
        )
    if len(declared_by) == 1:
        team_id = next(iter(declared_by))
        if proposed is not None and proposed != team_id:
            reason = {
                "kind": "authors_elsewhere",
                "declared": names([team_id]),
                "authors": names([proposed]),
            }
            return LinkDecision("conflict", None, reason)
        return LinkDecision("declared", team_id)
    if proposed is not None:
        reason = {"kind": "authored_by_team", "authors": sorted(author_teams)}
        return LinkDecision("proposed", proposed, reason)
    return LinkDecision("none", None)
