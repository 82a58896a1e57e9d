"""A full build of the index in one pass: a leaner Whoosh writer, and the listings shared out by forking.

Whoosh's own writer spends most of a build on generic work this schema does not need. Every text and
keyword field here already holds space-separated terms (`documents.py` analyses them), so counting a
field's terms is one `findall` and a Counter instead of a Token object per word; and committing, it
reads every posting's field length back from the file it has just written, where the writer can
remember the lengths it wrote. `BuildWriter` does both and is otherwise Whoosh's SegmentWriter (a
test checks it writes the same index as Whoosh's writer).

A large build is shared between processes by forking: each reads its share of the listings, makes
their documents and writes its own segment, and the parent names them all in the table of contents.
Whoosh's MpWriter instead makes every document in the parent and pickles it to its workers, so the
parent's share of the work (reading and analysing) was never shared.
"""

import os
import pickle
import signal
import traceback
from collections import Counter
from contextlib import suppress

from whoosh import formats
from whoosh.analysis import RegexTokenizer
from whoosh.codec.whoosh3 import byte_to_length, length_to_byte
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

# Whoosh multiplies each posting's weight by the document's and the field's boost; documents given
# no boost have these (a float: the product is a float even for an integer weight).
_NO_BOOST = 1.0


def _counts_terms(field) -> bool:
    """Whether a field's postings are term frequencies of whitespace-separated terms, and nothing more."""
    analyzer = field.analyzer if field.indexed else None
    return (
        type(analyzer) is RegexTokenizer
        and not analyzer.gaps
        and type(field.format) is formats.Frequency
        and not field.vector
        and not field.separate_spelling()
    )


def _plain(field) -> bool:
    # Fields written the generic way below: no vectors, no separate spelling words.
    return not field.vector and not field.separate_spelling()


class BuildWriter(SegmentWriter):
    """Whoosh's SegmentWriter, adding documents of this schema's kinds of field in fewer steps."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._terms = {name: field.analyzer.expression.findall
                       for name, field in self.schema.items() if _counts_terms(field)}
        self._lean = all(_plain(field) for _, field in self.schema.items())
        self._lengths: dict[str, dict[int, int]] = {}  # field -> docnum -> length, as add_field got them
        self._lengths_known = True

    def add_document(self, **fields):
        if not self._lean or any(name.startswith("_") for name in fields):  # boosts, custom stored values
            self._lengths_known = False
            return super().add_document(**fields)
        self._check_state()
        schema, perdoc, add_post, docnum = self.schema, self.perdocwriter, self.pool.add, self.docnum
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            findall = self._terms.get(name)
            if findall is not None and isinstance(value, str):
                counts = Counter(findall(value))
                boost = field.format.field_boost * _NO_BOOST
                for word, freq in counts.items():
                    add_post((name, word.encode("utf-8"), docnum, freq * boost, pack_uint(freq)))
                if field.scorable:
                    length = sum(counts.values())
            elif field.indexed:
                for tbytes, freq, weight, vbytes in field.index(value):
                    if field.scorable:
                        length += freq
                    add_post((name, tbytes, docnum, weight * _NO_BOOST, vbytes))
            perdoc.add_field(name, field, value if field.stored else None, length)
            if length:
                self._lengths.setdefault(name, {})[docnum] = length
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        if not (self._lengths_known and self.codec.length_stats):
            return super()._flush_segment()
        self.perdocwriter.close()
        self.fieldwriter.add_postings(self.schema, _Lengths(self._lengths), self.pool.iter_postings())
        self.fieldwriter.close()

    def commit_replacing(self, segments: list) -> None:
        """Commit this writer's segment and `segments` (other writers') as the whole index."""
        self._check_state()
        final = [self._finalize_segment()] if self._added else []
        if not self._added:
            self._close_segment()
        self._commit_toc(final + list(segments))
        self._finish()


class _Lengths:
    """A document's field lengths as the segment's length column gives them back (a byte each)."""

    def __init__(self, lengths: dict[str, dict[int, int]]):
        self._lengths = lengths

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._lengths.get(fieldname)
        if lengths is None:  # no document has a length in this field: the segment has no column
            return default
        length = lengths.get(docnum)
        # The column holds 0 for a document with none, which Whoosh's reader gives back as None.
        return byte_to_length(length_to_byte(length)) if length else None


def build(ix, ids: list, documents, forked_documents, procs: int, limitmb: int) -> None:
    """Write the documents of `ids` as the whole of index `ix`, shared between `procs` processes.

    `documents(ids)` yields the documents of some ids in this process; `forked_documents(ids)` the
    same in a forked process (which must not use the parent's database connections). The shares are
    contiguous runs of `ids`, and the segments are listed in their order, as one writer would number them.
    """
    size = -(-len(ids) // procs) if ids else 0
    shares = [ids[start : start + size] for start in range(0, len(ids), size)] if size else [[]]
    writer = BuildWriter(ix, limitmb=limitmb)
    children = []
    try:
        for share in shares[1:]:
            children.append(_fork(ix, share, forked_documents, limitmb))
        for doc in documents(shares[0]):
            writer.add_document(**doc)
        segments = []
        while children:
            segments.append(_collect(*children.pop(0)))
        writer.commit_replacing(segments)
    except BaseException:
        for pid, fd in children:
            _stop(pid, fd)
        writer.cancel()
        raise


def _fork(ix, share: list, documents, limitmb: int) -> tuple[int, int]:
    """Start a process writing the segment of `share`; return its pid and the pipe it answers on."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 1
    try:  # the child: never returns, never runs the parent's exit handlers
        os.close(read_end)
        try:
            writer = BuildWriter(ix, _lk=False, limitmb=limitmb)  # the parent holds the index lock
            for doc in documents(share):
                writer.add_document(**doc)
            # Its temporary files are the parent's to remove: they share one directory.
            answer, status = (True, writer._finalize_segment()), 0
        except BaseException:
            answer = (False, traceback.format_exc())
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(answer))
    finally:
        os._exit(status)


def _collect(pid: int, fd: int):
    """Return the segment a forked writer made, or raise what went wrong in it."""
    with os.fdopen(fd, "rb") as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not raw:
        raise RuntimeError(f"an index build process failed: exit status {status}")
    ok, value = pickle.loads(raw)  # noqa: S301  (from our own child, through a pipe only it and we hold)
    if not ok or status != 0:
        raise RuntimeError(f"an index build process failed: {value}")
    return value


def _stop(pid: int, fd: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
