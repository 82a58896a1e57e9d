"""A full build's writer and its forked processes write the index Whoosh's own writer would."""

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from directory.search import bulk, documents

WORDS = [f"w{n}" for n in range(60)] + ["ünï", "café"]


def synthetic_documents(count: int, seed: int = 7) -> list[dict]:
    """Documents of the index schema, with repeated words, empty fields and a field over 255 terms."""
    rng = random.Random(seed)

    def words(low, high):
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))

    docs = []
    for n in range(count):
        doc = {name: words(0, 6) for name in documents.schema().names()
               if name not in ("id", "meta", "listing")}
        doc.update(id=f"svc-{n:05d}", name=words(1, 8), description=words(0, 400 if n % 7 == 0 else 30),
                   meta=f"svc-{n:05d}\x1fname {n}".encode(), listing=f'{{"n":{n}}}')
        if n % 5 == 0:
            doc["organisation"] = ""
        docs.append(doc)
    return docs


def contents(ix) -> dict:
    """Everything a reader gives back: postings with weights, values and lengths, stored fields, columns."""
    with ix.reader() as reader:
        postings = {}
        for field, text in reader.all_terms():
            matcher = reader.postings(field, text)
            rows = []
            while matcher.is_active():
                rows.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            info = reader.term_info(field, text)
            postings[(field, text)] = (rows, info.weight(), info.doc_frequency(), info.min_length(),
                                       info.max_length(), info.max_weight())
        count = reader.doc_count_all()
        names = [name for name, field in ix.schema.items() if field.scorable]
        lengths = {(n, f): reader.doc_field_length(n, f) for n in range(count) for f in names}
        totals = {f: reader.field_length(f) for f in names}
        stored = list(reader.iter_docs())
        meta = list(reader.column_reader("meta"))
    return {"postings": postings, "lengths": lengths, "totals": totals, "stored": stored, "meta": meta}


def written(tmp_path, name, write) -> dict:
    directory = tmp_path / name
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), documents.schema())
    try:
        write(ix)
    finally:
        ix.close()
    ix = whoosh_index.open_dir(str(directory))
    try:
        return contents(ix)
    finally:
        ix.close()


def whooshs_own(docs):
    def write(ix):
        writer = SegmentWriter(ix)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()

    return write


def test_the_build_writer_writes_what_whooshs_writer_writes(tmp_path):
    docs = synthetic_documents(400)

    def lean(ix):
        writer = bulk.BuildWriter(ix)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit_replacing([])

    expected = written(tmp_path, "whoosh", whooshs_own(docs))
    assert expected["postings"] and max(expected["totals"].values()) > 255
    assert written(tmp_path, "lean", lean) == expected


@pytest.mark.parametrize("procs", [2, 3])
def test_a_build_shared_between_processes_writes_the_same_index(tmp_path, procs):
    docs = synthetic_documents(301)
    by_id = {doc["id"]: doc for doc in docs}

    def shared(ix):
        def some(ids):
            return (by_id[i] for i in ids)

        bulk.build(ix, sorted(by_id), some, some, procs=procs, limitmb=16)

    result = written(tmp_path, "shared", shared)
    ix = whoosh_index.open_dir(str(tmp_path / "shared"))
    assert len(ix._segments()) == procs
    ix.close()
    expected = written(tmp_path, "whoosh", whooshs_own(docs))
    # One segment against several: a term's summary figures are per segment, its postings are not.
    postings = {key: rows for key, (rows, *_) in expected["postings"].items()}
    assert {key: rows for key, (rows, *_) in result["postings"].items()} == postings
    assert {k: v for k, v in result.items() if k != "postings"} == {
        k: v for k, v in expected.items() if k != "postings"
    }


def test_a_failing_build_process_fails_the_build_and_leaves_the_index_as_it_was(tmp_path):
    docs = synthetic_documents(40)
    directory = tmp_path / "ix"
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), documents.schema())

    def broken(ids):
        raise ValueError("no database")

    with pytest.raises(RuntimeError, match="no database"):
        bulk.build(ix, [d["id"] for d in docs], lambda ids: iter(docs[: len(ids)]), broken,
                   procs=2, limitmb=16)
    ix.close()
    reopened = whoosh_index.open_dir(str(directory))
    assert reopened.doc_count_all() == 0
    reopened.close()
