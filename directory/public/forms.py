"""Public forms: the search filters (a plain GET form) and "report something wrong"."""

from dataclasses import dataclass, field

from wtforms import EmailField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from .. import dimensions, plain_text
from ..forms import DirectoryForm
from ..search import SearchInputError

# The taxonomy filters the form shows as checkboxes, each named by its `dimensions.Dimension`.
FACETS = dimensions.TAXONOMIES
# Search filter key -> the query-string parameter that sets it here (links that drop a filter use it).
PARAMS = {"text": "q", "borough": "borough", "elsewhere": "elsewhere", "distance": "miles",
          "pathway": dimensions.PATHWAY.param, "open_now": "open", **{d.key: d.param for d in FACETS}}
SORTS = (("relevance", "Best match"), ("distance", "Nearest first"), ("name", "Name (A to Z)"))
MAX_TEXT = 200
# The parameters whose problems the search page shows beside their own box (the rest are chosen
# from lists: a value that is not on the list is dropped or named beside its list).
TYPED_PARAMS = ("q", "postcode")


def _page(value) -> int:
    try:
        return max(1, min(int(value), 1000))
    except (TypeError, ValueError):
        return 1


def _yes(value) -> bool:
    return value in ("1", "yes", "on", "true")


def _miles(value) -> float | None:
    try:
        miles = float(value)
    except (TypeError, ValueError):
        return None
    return miles if 0 < miles <= 50 else None


@dataclass
class SearchQuery:
    """What the search form asked for, cleaned: safe to echo back and to pass to search."""

    text: str = ""
    borough: str = ""
    elsewhere: str = ""  # a borough: only the services its residents may not use (what its filter hides)
    postcode: str = ""
    max_miles: float | None = None
    pathway: str = ""
    open_now: bool = False
    include_unlisted: bool = False  # with open_now: also the services that list no opening hours
    sort: str = ""  # "" when not asked for: the search's default (nearest first for a place and no words)
    page: int = 1
    exact: bool = False  # search for the words as typed, with no spelling corrected
    chosen: dict[str, list[str]] = field(default_factory=dict)  # URL parameter -> codes
    # Typed text that cannot be searched for (a control character, too long), to show beside its box.
    problem: SearchInputError | None = None

    @classmethod
    def from_args(cls, args) -> "SearchQuery":
        """Read the query string: unknown or malformed choices are dropped, unusable typed text noted."""
        sort = args.get("sort", "")
        text, postcode = args.get("q", ""), args.get("postcode", "")
        open_now = _yes(args.get("open"))
        problem = plain_text.problem(text, max_length=MAX_TEXT)
        problem_field = "text" if problem else None
        if not problem and plain_text.has_control_characters(postcode):
            problem, problem_field = plain_text.CONTROL_CHARACTER, "postcode"
        return cls(
            # Echoed without its control characters, so searching again as shown works.
            text=" ".join(plain_text.without_control_characters(text).split()),
            borough=args.get("borough", "").strip()[:40],
            elsewhere=args.get("elsewhere", "").strip()[:40],
            postcode=" ".join(plain_text.without_control_characters(postcode).split())[:20],
            max_miles=_miles(args.get("miles")),
            pathway=args.get("pathway", "").strip()[:60],
            open_now=open_now,
            include_unlisted=open_now and _yes(args.get("unlisted")),
            sort=sort if sort in dict(SORTS) else "",
            page=_page(args.get("page", 1)),
            exact=_yes(args.get("exact")),
            chosen={d.param: [v[:60] for v in args.getlist(d.param) if v][:20] for d in FACETS},
            problem=SearchInputError(problem_field, problem) if problem else None,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.borough or self.elsewhere or self.postcode or self.pathway
                    or self.open_now or any(self.chosen.values()))

    def request_fields(self) -> dict:
        """Return the keyword arguments for `search.SearchRequest`."""
        fields = {d.field: self.chosen[d.param] for d in FACETS}
        return dict(
            text=self.text,
            borough=self.borough or None,
            residents_elsewhere=self.elsewhere or None,
            postcode=self.postcode or None,
            max_miles=self.max_miles if self.postcode else None,
            pathway=self.pathway or None,
            open_now=self.open_now,
            include_unlisted_hours=self.open_now and self.include_unlisted,
            sort=(self.sort or None) if (self.sort != "distance" or self.postcode) else None,
            page=self.page,
            correct_spelling=not self.exact,
            **fields,
        )

    @staticmethod
    def param_of(filter_key: str) -> str | None:
        """Return the query-string parameter of a search filter, or None if this form has none."""
        return PARAMS.get(filter_key)

    def args(self, **changes) -> dict:
        """Return the query string as a dict of lists, with `changes` applied (None removes)."""
        out = {
            "q": self.text, "borough": self.borough, "elsewhere": self.elsewhere, "postcode": self.postcode,
            "miles": f"{self.max_miles:g}" if self.max_miles else "", "pathway": self.pathway,
            "open": "1" if self.open_now else "",
            "unlisted": "1" if self.open_now and self.include_unlisted else "",
            "sort": self.sort,
            "page": str(self.page) if self.page > 1 else "",
            "exact": "1" if self.exact else "",
            **self.chosen,
        }
        out.update(changes)
        if not out.get("open"):
            out.pop("unlisted", None)  # it only widens "open now": without it, it means nothing
        return {k: v for k, v in out.items() if v}


REPORT_CATEGORIES = (
    ("opening-times", "Opening times are wrong"),
    ("contact", "Phone, email or website is wrong"),
    ("address", "Address or location is wrong"),
    ("referral", "How to get in or who it is for is wrong"),
    ("closed", "The service has closed or moved"),
    ("other", "Something else"),
)


class ReportForm(DirectoryForm):
    """Tell the directory's admins that something on a listing is wrong."""

    # Radios with none chosen: a default would send reports of a problem nobody picked. Nothing
    # chosen (or a value not on the list) is one message, from the choice check itself.
    category = RadioField(
        "What is wrong?", choices=[SelectChoice(value, label) for value, label in REPORT_CATEGORIES],
        invalid_choice_message="Choose what is wrong.",
    )
    message = TextAreaField(
        "What should it say instead?",
        validators=[
            DataRequired("Tell us what is wrong, so an admin can check it."),
            Length(min=5, max=2000, message="Write between 5 and 2,000 characters."),
        ],
    )
    contact_email = EmailField(
        "Your email address (optional)",
        validators=[
            Optional(),
            Email("Enter an email address like name@example.org, or leave this empty."),
            Length(max=254),
        ],
    )
