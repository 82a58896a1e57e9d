"""The base of every form: text fields refuse what cannot be stored, beside the field.

Every text field (typed, hidden, password, email) gets `plain_text` as its first validator, so a
control character, a file sent where text was expected or an oversized value is answered with a
message beside the field instead of a database error. Forms inherit from `DirectoryForm` (with
CSRF) or `PlainForm` (without: rows repeated inside a DirectoryForm, and filter forms sent by
GET). Repeated sections are `Rows`, which say beside the section when more rows were sent than
it takes.
"""

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.utils import unset_value
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


class Rows(FieldList):
    """A repeated section (locations, phones, opening times) that takes at most `most` rows.

    Each row's form may say it is `left_out()` (blank, or ticked for removal): those do not count.
    WTForms' own `max_entries` drops extra rows silently and fails when a row is added past it, so
    the most is checked here instead, with `message` beside the section.
    """

    def __init__(self, unbound_field, label=None, validators=None, *, most: int, message: str, **kwargs):
        super().__init__(unbound_field, label, validators, **kwargs)
        self.most = most
        self.message = message

    def process(self, formdata, data=unset_value, extra_filters=None):
        # Enough rows of a submission to say there are too many (spare blank rows included),
        # without building thousands from a crafted request.
        self.max_entries = 2 * self.most + 5 if formdata else None
        try:
            super().process(formdata, data, extra_filters)
        finally:
            self.max_entries = None

    def filled(self) -> int:
        """Return how many rows count towards the most."""
        return sum(1 for entry in self.entries if not getattr(entry.form, "left_out", lambda: False)())

    def append_entry(self, data=unset_value):
        """Add a row, unless the section already holds as many as it takes."""
        if self.filled() >= self.most:
            return None
        return super().append_entry(data)

    def validate(self, form, extra_validators=()):
        ok = super().validate(form, extra_validators)
        if self.filled() > self.most:
            self.errors.append(self.message)
            return False
        return ok

    @property
    def section_errors(self) -> list[str]:
        """Return the errors about the section as a whole (each row's own are beside its fields)."""
        return [e for e in self.errors if isinstance(e, str)]
