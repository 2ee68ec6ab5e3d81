"""The wishes form both sites use (web/allocation_forms.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_wishes_form_date_input_has_no_maxlength():
    """vnu: maxlength is not allowed on <input type="date"> (issue 15: vnu 0 on the wishes page)."""
    from yoyaku.web.allocation_forms import WishesForm

    html = str(WishesForm()["earliest_date"])
    assert 'type="date"' in html and "maxlength" not in html
    form = WishesForm({"earliest_date": "2026-06-01-too-long", "wants_move_up": "no"})
    assert not form.is_valid() and "earliest_date" in form.errors  # still bounded
