"""Rows rendered by Jinja2 escape every value and refuse a name the view did not pass."""

import pytest
from jinja2 import UndefinedError

from accounts.rows import environment, render_rows


def test_values_are_escaped_and_marked_safe_html_is_not():
    from django.utils.safestring import mark_safe

    template = environment(loader=None).from_string("<td>{{ name }}</td><td>{{ link }}</td>")
    html = template.render(name='<script>"x"</script>', link=mark_safe("<a href='/'>x</a>"))
    assert html == "<td>&lt;script&gt;&#34;x&#34;&lt;/script&gt;</td><td><a href='/'>x</a></td>"


def test_a_name_the_view_did_not_pass_is_an_error_not_an_empty_cell():
    template = environment(loader=None).from_string("<td>{{ row.missing }}</td>")
    with pytest.raises(UndefinedError):
        template.render(row={})


def test_the_practices_rows_come_from_their_template(db, as_user, lead, practice_a):
    html = as_user(lead).get("/practices/").content.decode()
    assert f'<td data-label="Code">{practice_a.code}</td>' in html


def test_quotes_are_escaped_as_the_django_language_escapes_them(tmp_path):
    from django.template import engines
    from django.utils.html import escape

    name = """O'Neil "Jo" <b>"""
    (tmp_path / "quotes.jinja").write_text("<td title='{{ name }}'>{{ name }}</td>")
    searchpath = engines["rows"].env.loader.searchpath
    searchpath.append(str(tmp_path))
    try:
        html = render_rows("quotes.jinja", {"name": name})
    finally:
        searchpath.remove(str(tmp_path))
    assert html == "<td title='" + escape(name) + "'>" + escape(name) + "</td>"
