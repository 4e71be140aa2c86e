import pytest
from django.urls import reverse

from accounts.http import url_maker


@pytest.mark.parametrize("ref", ["LNK-000123", "a b", "100%", "é/ü", "x?y#z", "8642097531"])
def test_a_url_maker_builds_what_reverse_builds(ref):
    if "/" in ref:  # a ref never holds one: the path converter refuses it, as reverse does
        ref = ref.replace("/", "")
    for name in ("participants:detail", "participants:new_assessment"):
        assert url_maker(name)(ref) == reverse(name, args=[ref])


def test_a_url_maker_takes_a_number():
    make = url_maker("followups:close")
    assert [make(pk) for pk in (1, 42, 8642097531)] == [
        reverse("followups:close", args=[pk]) for pk in (1, 42, 8642097531)
    ]


def test_a_url_maker_follows_the_script_prefix(settings):
    from django.urls import set_script_prefix

    set_script_prefix("/links/")
    try:
        assert url_maker("participants:detail")("LNK-1") == reverse(
            "participants:detail", args=["LNK-1"]
        )
        assert url_maker("participants:detail")("LNK-1").startswith("/links/")
    finally:
        set_script_prefix("/")
