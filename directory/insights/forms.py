"""Insight filter forms. They only read (GET), so they carry no CSRF token."""

from wtforms import BooleanField
from wtforms.fields import DateField
from wtforms.validators import Optional, ValidationError

from ..forms import PlainForm


class CoverageForm(PlainForm):
    lgbtq = BooleanField("Only services specifically for LGBTQ+ people")


class PeriodForm(PlainForm):
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date must be on or after the start date.")
