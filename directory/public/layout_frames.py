"""The layout's navigation and footer links, rendered once and remembered, not on every page.

Every page of the site includes _nav.html and _footer_links.html (base.html): fifteen links built by
url_for, the same on every page but for the script root, the page's section (which link is marked
current) and the signposting list the links carry. Rendering them cost a results page about as much as
its twenty cards' links. So each is remembered per template, script root and what the page passes as
its key (the nav: endpoint and list), which must name everything the template shows that differs from
page to page.

A speed trick only: with the `CARD_FRAMES` setting off, base.html includes both on every page, and
tests check that both ways give the same bytes.
"""

from flask import has_request_context, request
from jinja2 import TemplateNotFound, pass_context
from markupsafe import Markup

# Enough for every section with no list, and the lists of the pages being looked at now; when full it
# starts again (a plain dict: safe for threads without a lock, unlike an ordered one being reordered).
LIMIT = 512
_rendered: dict[tuple, Markup] = {}


@pass_context
def included(context, name: str, *key) -> Markup:
    """Return what `{% include name ignore missing %}` gives this page, remembered per `key` (lists as
    tuples), the template and the script root."""
    environment = context.environment
    try:
        template = environment.get_template(name)
    except TemplateNotFound:
        return Markup("")

    # As the include renders it: the page's context, shared.
    def render() -> Markup:
        return Markup("".join(template.root_render_func(template.new_context(context.get_all(), True))))  # noqa: S704

    if not has_request_context():  # no script root to key it by (links then name the configured server)
        return render()
    found_key = (template, request.script_root, *(tuple(k) if isinstance(k, list) else k for k in key))
    found = _rendered.get(found_key)
    if found is not None:
        return found
    found = render()
    if len(_rendered) >= LIMIT:
        _rendered.clear()
    _rendered[found_key] = found
    return found


def clear() -> None:
    _rendered.clear()


def size() -> int:
    return len(_rendered)
