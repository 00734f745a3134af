"""Publishing the collected datasets: the edition's validated contributions, without personal
data, as dataset repositories of the Hub organization (or, with no Hub token, to a folder).

The one publisher of the platform. What a dataset holds comes from its challenge kind's
``Intake.publication`` (rows, columns, card texts, which rows are let in); this module only
writes Parquet files and a dataset card from it, so that ``datasets.load_dataset`` reads the
dataset back as it was.

Every row carries its licence (``license``: its exam's for INCLUDE, the edition's contribution
licence otherwise) and is published only under it: each form is split into one Hub "config"
per licence, so that rows under NC, ND or unknown licences never join a permissive config. The
form's config is the one of the edition's licence (or, without it, its first permissive one):
the first form's, ``default``, is written to ``data/train.parquet``; any other config (another
form such as ``dpo``, or another licence: ``cc-by-nc-4.0``, ``dpo-unknown``) to
``<config>/train.parquet`` beside it.

- ``rows``: what each dataset holds (rows per form, configs per licence, counts);
- ``card``: the dataset card and its checks;
- ``writing``: writing the files, to a folder or to the Hub, and the publications.
"""

from hub.publishing.card import render_card
from hub.publishing.rows import (
    CARD_FILE,
    DATA_FILE,
    PublishRefused,
    build_rows,
    count_rows,
    count_rows_by_license,
    row_license,
    split_by_license,
)
from hub.publishing.writing import (
    card_language,
    default_visibility,
    digest_folder,
    local_folder_for,
    publish_dataset,
    published_files,
    repo_id_for,
    request_publication,
    run_publication,
    write_dataset,
)

__all__ = [
    "CARD_FILE",
    "DATA_FILE",
    "PublishRefused",
    "build_rows",
    "card_language",
    "count_rows",
    "count_rows_by_license",
    "default_visibility",
    "digest_folder",
    "local_folder_for",
    "publish_dataset",
    "published_files",
    "render_card",
    "repo_id_for",
    "request_publication",
    "row_license",
    "run_publication",
    "split_by_license",
    "write_dataset",
]
