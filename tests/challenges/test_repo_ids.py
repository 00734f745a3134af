import pytest

from challenges.domain import ContributionRefused, check_repo_id

ORG = "somosnlp-hackathon-test"


@pytest.mark.parametrize(
    "written",
    [
        f"{ORG}/demo",
        f"  {ORG}/demo ",
        f"https://huggingface.co/spaces/{ORG}/demo",
        f"https://huggingface.co/datasets/{ORG}/demo",
    ],
)
def test_a_repository_of_the_organization_is_kept_as_organization_slash_name(written):
    assert check_repo_id(repo_id=written, organization=ORG) == f"{ORG}/demo"


def test_the_organization_is_compared_without_case():
    assert check_repo_id(repo_id="SomosNLP-Hackathon-Test/x", organization=ORG) == (
        "SomosNLP-Hackathon-Test/x"
    )


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("otra-org/modelo", "must be in the organization"),
        ("not a repo id!", "not a Hugging Face repository id"),
        (f"{ORG}/--bad", "not a Hugging Face repository id"),
    ],
)
def test_other_repositories_are_refused(written, message):
    with pytest.raises(ContributionRefused, match=message):
        check_repo_id(repo_id=written, organization=ORG)
