"""The base of every form: text fields refuse what cannot be stored, beside the field.

Every text field (typed, hidden, password, email) gets `plain_text` as its first validator, so a
control character, a file sent where text was expected or an oversized value is answered with a
message beside the field instead of a database error. Forms inherit from `DirectoryForm` (with
CSRF) or `PlainForm` (without: rows repeated inside
a DirectoryForm, and filter forms sent by GET).
"""

from flask_wtf import FlaskForm
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

from . import plain_text

NOT_TEXT = "Type this in: a file cannot be sent here."


def check_plain_text(form, field):
    """Refuse a value that is not text, holds control characters, or is longer than any field takes."""
    if field.data is None:
        return
    if not isinstance(field.data, str):
        field.data = ""
        raise StopValidation(NOT_TEXT)
    problem = plain_text.problem(field.data, multiline=isinstance(field, TextAreaField))
    if problem:
        raise StopValidation(problem)


class _PlainTextMeta:
    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, StringField):
            validators = [check_plain_text, *(unbound_field.kwargs.get("validators") or ())]
            # A new unbound field each time: the class-level one is shared by every form instance.
            unbound_field = UnboundField(
                unbound_field.field_class,
                *unbound_field.args,
                name=unbound_field.name,
                **{**unbound_field.kwargs, "validators": validators},
            )
        return super().bind_field(form, unbound_field, options)


class DirectoryForm(FlaskForm):
    """A submitted form (with CSRF protection) whose text fields refuse what cannot be stored."""

    Meta = _PlainTextMeta


class PlainForm(Form):
    """A form with no CSRF token of its own: a row inside a DirectoryForm, or a GET filter form."""

    Meta = _PlainTextMeta
