"""search/suggest.py: the autocomplete table, as it is built, saved with the index and read back."""

import pickle

from api.search.suggest import PrefixTable

NAMES = [
    ("Type 2 diabetes", "condition", "type-2-diabetes", True),
    ("Diabetes", "condition", "diabetes", True),
    ("Sugar diabetes", "condition", "diabetes", False),  # an also-known-as name
    ("Diabetic foot care", "article", "diabetic-foot-care", True),
    ("Diabetes insipidus", "condition", "diabetes-insipidus", True),
    ("Knee pain", "condition", "knee-pain", True),
]


def texts(found):
    return [(s.text, s.type, s.slug) for s in found]


def test_order_whole_name_first_then_later_words_one_per_entry():
    table = PrefixTable(NAMES)
    assert texts(table.suggest("diab")) == [
        ("Diabetes", "condition", "diabetes"),  # the whole name starts with it; shortest first
        ("Diabetes insipidus", "condition", "diabetes-insipidus"),  # as long: alphabetical
        ("Diabetic foot care", "article", "diabetic-foot-care"),
        ("Type 2 diabetes", "condition", "type-2-diabetes"),  # a later word starts with it
    ]  # "Sugar diabetes" names an entry already suggested
    assert texts(table.suggest("  SUGAR  di")) == [("Sugar diabetes", "condition", "diabetes")]
    assert texts(table.suggest("diab", limit=2)) == texts(table.suggest("diab"))[:2]
    assert table.suggest("zz") == [] and table.suggest("  ") == []


def test_read_back_from_its_file_it_answers_the_same():
    table = PrefixTable(NAMES)
    again = pickle.loads(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    for prefix in ("d", "diab", "2", "knee p", "pain", "x"):
        assert texts(again.suggest(prefix)) == texts(table.suggest(prefix))


def test_an_empty_table_suggests_nothing():
    assert PrefixTable([]).suggest("a") == []
