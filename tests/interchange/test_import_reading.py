"""Reading an import file: its depth is measured on what was parsed, as it would be on the text."""

import json

import pytest

from directory.interchange import records
from directory.interchange.records import ImportFileError, read_records


@pytest.mark.parametrize("text", [
    "[]", "{}", "5", '"[[["', '[[], [[]], {"a": {}}]', '[{"a": [1, {"b": "]]]\\"[[{"}]}]',
    '{"a": [[[{"b": []}]]], "c": [[[[[[]]]]]]}',
])
def test_the_depth_of_parsed_json_is_the_depth_of_its_brackets(text):
    assert records._depth(json.loads(text)) == records._nesting(text)


def test_a_file_both_too_deep_and_broken_is_called_too_deep(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 40 + "]" * 39, encoding="utf-8")
    with pytest.raises(ImportFileError, match="nested 40 levels deep"):
        read_records(path)
    path.write_text("[" * 3 + "]" * 2, encoding="utf-8")
    with pytest.raises(ImportFileError, match="is not JSON"):
        read_records(path)
