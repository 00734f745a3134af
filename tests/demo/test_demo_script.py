"""bin/demo ends with the organizer's login where it is seen (after everything the setup
prints, just before the server starts), on the address it serves, and the README says how to
choose that address."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_login_is_printed_last_with_the_address_served():
    script = (ROOT / "bin" / "demo").read_text(encoding="utf-8")
    banner = script.index("<<BANNER")
    for step in ("bin/setup", "migrate", "load_edition", "seed_demo", "create_organizer"):
        assert script.index(step) < banner, step
    assert script.index("BANNER\nexec ") > banner  # nothing between the banner and the server
    assert "$login" in script[banner:] and "http://$address/" in script[banner:]
    assert 'runserver "$address"' in script and 'address="${DEMO_ADDRESS:-' in script


def test_the_readme_says_how_to_serve_on_another_port():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "DEMO_ADDRESS=127.0.0.1:8100 bin/demo" in readme
    assert "login is printed last" in readme
