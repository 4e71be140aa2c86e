from django.contrib.staticfiles import finders


def test_every_page_links_a_favicon_the_static_files_hold(client):
    """Without a linked icon a browser asks for /favicon.ico on its first visit: a 404."""
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    assert finders.find("favicon.svg")
