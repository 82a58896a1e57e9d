"""Fetch every seeded public page, API response, export and signed-in page, and write them to a folder.

Run it before and after a change that must not alter behaviour, then compare the two folders:

    .venv/bin/python benchmarks/snapshot_responses.py /tmp/before      # on the old commit
    .venv/bin/python benchmarks/snapshot_responses.py /tmp/after       # on the new one
    .venv/bin/python benchmarks/snapshot_responses.py --compare /tmp/before /tmp/after

Everything runs in-process on a throwaway SQLite database seeded with the real London data and a
pinned clock, so two runs of the same code give the same bytes. It prints how many responses it
wrote (and, with --compare, how many differ, naming each).
"""

import argparse
import hashlib
import itertools
import json
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = "2026-06-03T14:30:00"  # a Wednesday afternoon: some services open, some closed

QUERIES = [
    "", "chemsex", "tina", "G", "ghb", "crystal meth", "sexual health", "PEP", "prep", "hiv test",
    "needle exchange", "naloxone", "counselling", "trans", "gay men", "alcohol", "alcohol help",
    "a&e", "emergency", "helpline", "slamming", "mephedrone", "ketamine", "k", "party and play",
    "sexul helth", "chemsx", "councelling", "domestic abuse", "mental health", "young people",
    "peer support", "hepatitis", "injecting", "women", "lambeth", "soho", "zzzzqqq", "the",
    "drug service near me", "i need help with g", "56 dean street", "antidote", "spectrum",
]
BOROUGHS = ["", "lambeth", "camden", "westminster", "hackney", "E09000022", "barnet", "nowhere"]
POSTCODES = ["", "SW9 8AA", "W1D 6AQ", "E8", "XX1 1XX", "M1 1AA"]


def _search_urls(catalogue):
    urls = []
    for q, borough in itertools.product(QUERIES, BOROUGHS[:4]):
        urls.append(("/search", {"q": q, "borough": borough}))
    for q in QUERIES[:12]:
        for postcode in POSTCODES:
            urls.append(("/search", {"q": q, "postcode": postcode}))
            urls.append(("/search", {"q": q, "postcode": postcode, "sort": "distance", "miles": "3"}))
        urls.append(("/search", {"q": q, "open": "1"}))
        urls.append(("/search", {"q": q, "sort": "name", "page": "2"}))
        urls.append(("/search", {"q": q, "borough": "lambeth", "open": "1", "pathway": "chemsex-support"}))
    for borough in BOROUGHS:
        urls.append(("/search", {"borough": borough}))
    for param, vocabulary in (("service_type", "service-type"), ("audience", "audience"),
                              ("referral_route", "referral-route"), ("delivery", "delivery")):
        for choice in catalogue.term_choices(vocabulary):
            urls.append(("/search", {param: choice.code}))
            urls.append(("/search", {param: choice.code, "q": "chemsex", "borough": "lambeth"}))
            urls.append(("/search", {param: [choice.code, "nonsense"], "borough": "hackney", "open": "1"}))
    for choice in catalogue.pathway_choices:
        urls.append(("/search", {"pathway": choice.code}))
        urls.append(("/search", {"pathway": choice.code, "borough": "camden", "service_type": "helpline"}))
    urls.append(("/search", {"q": "chemsex", "service_type": ["sexual-health", "drug-alcohol"],
                             "audience": "gay-bi-msm", "referral_route": "self-referral",
                             "borough": "lambeth", "open": "1", "postcode": "SW9 8AA", "miles": "2"}))
    urls.append(("/search", {"q": "tina", "page": "999"}))
    urls.append(("/search", {"q": "x" * 300}))
    return urls


def _api_urls(service_ids, sal_ids, org_ids, taxonomy_ids, term_ids):
    urls = [("/api/v1/", {}), ("/api/v1/openapi.json", {}), ("/api/v1/taxonomies", {}),
            ("/api/v1/taxonomy_terms", {}), ("/api/v1/taxonomy_terms", {"per_page": "5", "page": "3"}),
            ("/api/v1/organizations", {}), ("/api/v1/organizations", {"full_service": "true"}),
            ("/api/v1/service_at_locations", {}), ("/api/v1/service_at_locations", {"full": "true"}),
            ("/api/v1/services", {}), ("/api/v1/services", {"full": "true"}),
            ("/api/v1/services", {"minimal": "true"}), ("/api/v1/services", {"format": "ndjson"}),
            ("/api/v1/services", {"per_page": "7", "page": "2"}), ("/api/v1/services", {"page": "0"}),
            ("/api/v1/services", {"per_page": "abc"}), ("/api/v1/services", {"sort": "nonsense"}),
            ("/api/v1/services/not-an-id", {}), ("/api/v1/organizations/nope", {})]
    for q in QUERIES[:20]:
        urls.append(("/api/v1/services", {"search": q}))
    for borough in BOROUGHS:
        urls.append(("/api/v1/services", {"borough": borough}))
    for postcode in POSTCODES:
        urls.append(("/api/v1/services", {"postcode": postcode, "proximity": "5"}))
    for term_id in term_ids:
        urls.append(("/api/v1/services", {"taxonomy_term_id": term_id}))
    for param in ("service_type", "audience", "referral_route", "delivery", "pathway", "open_now",
                  "taxonomy_id", "organization_id", "modified_after", "full", "minimal"):
        urls.append(("/api/v1/services", {param: "bogus"}))
    urls.append(("/api/v1/services", {"service_type": "sexual-health", "audience": "gay-bi-msm",
                                      "borough": "lambeth", "search": "pep"}))
    for service_id in service_ids:
        urls.append((f"/api/v1/services/{service_id}", {}))
    for sal_id in sal_ids[:40]:
        urls.append((f"/api/v1/service_at_locations/{sal_id}", {}))
    for org_id in org_ids:
        urls.append((f"/api/v1/organizations/{org_id}", {}))
    for taxonomy_id in taxonomy_ids:
        urls.append((f"/api/v1/taxonomies/{taxonomy_id}", {}))
        urls.append(("/api/v1/taxonomy_terms", {"taxonomy_id": taxonomy_id}))
    for term_id in term_ids[:15]:
        urls.append((f"/api/v1/taxonomy_terms/{term_id}", {}))
    return urls


def _page_urls(service_ids, pathway_slugs):
    urls = [("/", {}), ("/about", {}), ("/privacy", {}), ("/pathways", {}), ("/pathways/nope", {}),
            ("/services/nope", {}), ("/list", {}), ("/list/print", {}), ("/insights/", {}),
            ("/insights/coverage", {}), ("/insights/coverage.csv", {}), ("/insights/freshness", {}),
            ("/insights/pathways", {}), ("/insights/unmet-need", {}), ("/healthz", {})]
    for slug in pathway_slugs:
        urls.append((f"/pathways/{slug}", {}))
    for service_id in service_ids:
        urls.append((f"/services/{service_id}", {}))
        urls.append((f"/services/{service_id}/report", {}))
    urls.append(("/list", {"s": service_ids[:5]}))
    urls.append(("/list/print", {"s": service_ids[:8]}))
    urls.append(("/list", {"s": service_ids[:3] + ["junk"], "back": "/search?q=g"}))
    urls.append((f"/services/{service_ids[0]}", {"s": service_ids[1:4]}))
    urls.append(("/search", {"q": "chemsex", "s": service_ids[:2]}))
    return urls


def _signed_in_urls(service_ids, org_ids, revision_ids):
    urls = [("/agency/", {}), ("/admin/", {}), ("/admin/queue", {}), ("/admin/users", {}),
            ("/admin/organisations", {}), ("/admin/audit", {}), ("/agency/services/new", {}),
            ("/insights/freshness", {}), ("/insights/unmet-need", {}), ("/insights/coverage", {})]
    for service_id in service_ids[:30]:
        urls.append((f"/agency/services/{service_id}", {}))
        urls.append((f"/agency/services/{service_id}/edit", {}))
        urls.append((f"/agency/services/{service_id}/history", {}))
        urls.append((f"/agency/services/{service_id}/close", {}))
    for org_id in org_ids[:10]:
        urls.append((f"/admin/organisations/{org_id}", {}))
    for revision_id in revision_ids:
        urls.append((f"/admin/revisions/{revision_id}", {}))
    return urls


# Edits an agency editor proposes through the real form: (field, how to change its value).
EDITS = [
    ("description", lambda v: v + " Now also on Saturdays."),
    ("name", lambda v: v + " (renamed)"),
    ("eligibility_description", lambda v: "Adults living in London."),
    ("service_types", None),  # unticks the first type
    ("minimum_age", lambda v: "18"),
    ("email", lambda v: "not an email"),  # refused beside the field
    ("reason", lambda v: ""),
    ("url", lambda v: "https://example.org/new"),
]


def _edit(values, field, change):
    out, done = [], False
    for name, value in values:
        if name == field and not done:
            done = True
            if change is None:
                continue
            value = change(value)
        out.append((name, value))
    if not done and change is not None:
        out.append((field, change("")))
    return out


# Times of day that writes stamp (revisions, audit entries): the only bytes two runs may differ in.
_STAMPS = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00|Z)?|\b\d{1,2}:\d\d\b")


# Ids that are random by design (uuid4, not the seed's uuid5) and CSRF tokens, which are signed with the time.
_RANDOM = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
                     rb"|(?<=csrf_token\" value=\")[^\"]+"
                     # the seed's revisions are numbered in an order that varies (one flush of many)
                     rb"|(?<=/restore/)\d+|(?<=reason-)\d+")


def _normalised(body: bytes) -> bytes:
    return _RANDOM.sub(b"<random>", _STAMPS.sub(b"<time>", body))


def _name(index, path, params) -> str:
    digest = hashlib.sha256(json.dumps([path, params], sort_keys=True).encode()).hexdigest()[:10]
    return f"{index:05d}-{digest}"


def snapshot(out: Path) -> int:
    from werkzeug.datastructures import MultiDict

    from config import TestConfig
    from directory import create_app, search
    from directory.extensions import db
    from directory.models import (
        Membership,
        Organisation,
        Pathway,
        Revision,
        Service,
        ServiceAtLocation,
        Taxonomy,
        TaxonomyTerm,
        User,
    )
    from directory.reference import load_reference_data
    from directory.seed import seed_services
    from tests.accounts_helpers import form_values  # what a browser sends for a form, as the tests read it

    work = Path(tempfile.mkdtemp(prefix="snapshot-"))

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{work / 'directory.db'}"
        SEARCH_INDEX_DIR = str(work / "index")
        DIRECTORY_NOW = NOW

    app = create_app(Config)
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    with app.app_context():
        db.create_all()
        load_reference_data()
        seed_services()
        db.session.commit()
        search.ensure_index()
        admin = User(email="admin@example.org", is_admin=True)
        db.session.add(admin)
        db.session.commit()
        service_ids = sorted(db.session.scalars(db.select(Service.id)))
        sal_ids = sorted(db.session.scalars(db.select(ServiceAtLocation.id)))
        org_ids = sorted(db.session.scalars(db.select(Organisation.id)))
        taxonomy_ids = sorted(db.session.scalars(db.select(Taxonomy.id)))
        term_ids = sorted(db.session.scalars(db.select(TaxonomyTerm.id)))[:40]
        pathway_slugs = sorted(db.session.scalars(db.select(Pathway.slug)))
        catalogue = search.catalogue()
        admin_id = admin.get_id()
        public = (_page_urls(service_ids, pathway_slugs) + _search_urls(catalogue)
                  + _api_urls(service_ids, sal_ids, org_ids, taxonomy_ids, term_ids))
        editor = User(email="editor@example.org")
        editor.memberships = [Membership(organisation=db.session.get(Organisation, org_id))
                              for org_id in org_ids[:6]]
        db.session.add(editor)
        db.session.commit()
        editor_id = editor.get_id()
        editable = sorted(db.session.scalars(db.select(Service.id).where(
            Service.organisation_id.in_(org_ids[:6]))))
    client = app.test_client()

    def keep(method, path, params, response):
        body = _normalised(response.get_data())
        name = _name(len(manifest), path, params)
        (out / name).write_bytes(body)
        manifest.append({"name": name, "method": method, "path": path, "params": params,
                         "status": response.status_code, "type": response.content_type,
                         "location": response.headers.get("Location"),
                         "digest": hashlib.sha256(body).hexdigest()})

    def sign_in(user_id):
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user_id
            session["_fresh"] = True

    for path, params in public:
        keep("GET", path, params, client.get(path, query_string=params))
    # Writes: an editor proposes changes through the form, an admin approves or rejects them.
    with app.app_context():
        # The seed writes many revisions in one flush, numbered in an order that varies between runs.
        seeded_revisions = db.session.scalar(db.select(db.func.max(Revision.id))) or 0
    sign_in(editor_id)
    for n, service_id in enumerate(editable[:16]):
        path = f"/agency/services/{service_id}/edit"
        shown = client.get(path)
        field, change = EDITS[n % len(EDITS)]
        values = _edit(list(form_values(shown).items(multi=True)), field, change)
        if field != "reason":
            values = _edit(values, "reason", lambda v: v or "Checked with the clinic.")
        keep("POST", path, {"edit": field}, client.post(path, data=MultiDict(values)))
    keep("GET", "/agency/", {}, client.get("/agency/"))
    sign_in(admin_id)
    with app.app_context():
        revision_ids = sorted(db.session.scalars(db.select(Revision.id).where(Revision.status == "pending")))
    for n, revision_id in enumerate(revision_ids):
        keep("GET", f"/admin/revisions/{revision_id}", {}, client.get(f"/admin/revisions/{revision_id}"))
        if n % 3 == 0:
            path = f"/admin/revisions/{revision_id}/approve"
            keep("POST", path, {}, client.post(path, data={"note": "Checked."}))
        elif n % 3 == 1:
            path = f"/admin/revisions/{revision_id}/reject"
            keep("POST", path, {}, client.post(path, data={"reason": "Please add the phone number."}))
    with app.app_context():
        revision_ids = sorted(db.session.scalars(
            db.select(Revision.id).where(Revision.id > seeded_revisions)))
    for path, params in _signed_in_urls(editable + service_ids, org_ids, revision_ids):
        keep("GET", path, params, client.get(path, query_string=params))
    sign_in(None)
    for path, params in public[:200]:
        keep("GET", path, params, client.get(path, query_string=params))
    runner = app.test_cli_runner()
    for command in (["hsds", "export"], ["hsds", "export-csv"]):
        target = work / command[-1]
        with app.app_context():
            result = runner.invoke(args=[*command, str(target)])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        files = sorted(target.rglob("*")) if target.is_dir() else [target]
        for file in files:
            if file.is_file():
                body = _normalised(file.read_bytes() + result.output.replace(str(work), "").encode())
                name = _name(len(manifest), " ".join(command), {"file": file.name})
                (out / name).write_bytes(body)
                manifest.append({"name": name, "method": "CLI", "path": " ".join(command),
                                 "params": {"file": file.name},
                                 "status": result.exit_code, "type": "", "location": None,
                                 "digest": hashlib.sha256(body).hexdigest()})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    statuses = {}
    for entry in manifest:
        statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
    print(f"{len(manifest)} responses written to {out} (by status: {dict(sorted(statuses.items()))})")
    return 0


def compare(before: Path, after: Path) -> int:
    def load(folder):
        return {(e["name"][:5], e["method"], e["path"], json.dumps(e["params"], sort_keys=True)): e
                for e in json.loads((folder / "manifest.json").read_text())}

    def seen(e):
        return e["digest"], e["status"], e["type"], e["location"]

    old, new = load(before), load(after)
    differ = [key for key in old if key in new and seen(old[key]) != seen(new[key])]
    missing = [key for key in old if key not in new] + [key for key in new if key not in old]
    for key in differ[:50]:
        print(f"differs: {' '.join(key[1:])}  ({old[key]['name']})")
    for key in missing[:20]:
        print(f"only in one run: {key}")
    print(f"{len(old)} responses before, {len(new)} after: {len(differ)} differ, "
          f"{len(missing)} in only one run")
    return 1 if differ or missing else 0


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # The seed walks sets of names: a fixed hash seed gives the same revision numbers every run.
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        os.execve(sys.executable, [sys.executable, *sys.argv], environment)  # noqa: S606  (this script again)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--compare", action="store_true", help="compare two folders written earlier")
    args = parser.parse_args()
    if args.compare:
        if len(args.folders) != 2:
            parser.error("--compare takes two folders")
        return compare(*args.folders)
    return snapshot(args.folders[0])


if __name__ == "__main__":
    sys.exit(main())
