"""Every check is proved to work: some sample submission or mutant must fail it, saying why.

tests/verdicts.py reads the expectations; these tests hold them together: every check of
the rubric is the named failing check of at least one sample or mutant, with a phrase of
its own (not only "your app could not be loaded"), and the comparison itself catches each
way a graded result can miss its expectation.
"""

from __future__ import annotations

import verdicts

from tools import mutants


def expectations() -> dict[str, dict[str, str]]:
    found = {f"tests/submissions/{name}": fails for name, fails in verdicts.samples().items()}
    for name in mutants.names():
        found[f"tests/mutants/{name}.toml"] = verdicts.expectation(mutants.load(name))
    return found


def test_every_check_is_the_named_failing_check_of_a_sample_or_mutant():
    """No check of the rubric goes untested: each one is some sample's or mutant's own failure."""
    targeted = set()
    for fails in expectations().values():
        targeted |= verdicts.targets(fails)
    untargeted = sorted(set(verdicts.step_of_check()) - targeted)
    assert untargeted == [], (
        "no sample submission or mutant fails these checks with a phrase of their own: "
        "add one to tests/submissions/ (with its verdict) or tests/mutants/"
    )


def test_each_check_has_a_name_of_its_own():
    """The JSON names a check by its docstring's first line: no two checks may share one."""
    names = verdicts.check_of_name()
    assert sorted(names.values()) == sorted(verdicts.step_of_check())


def test_a_borrowed_phrase_targets_only_the_check_it_belongs_to():
    """'could not be loaded' shows that test_app_imports works, not that the check quoting it does."""
    fails = {"test_app_imports": "could not be loaded", "test_home_page_is_html": "Could not be loaded"}
    assert verdicts.targets(fails) == {"test_app_imports"}
    assert verdicts.targets({"test_home_page_is_html": "expected GET / to answer 200"}) == {"test_home_page_is_html"}


def result(*checks: tuple[str, bool, str]) -> dict:
    """A graded result in the contract's JSON, one step holding the checks given."""
    return {
        "steps": [
            {"id": "1", "checks": [{"name": n, "passed": p, "message": m} for n, p, m in checks]}
        ]
    }


def test_problems_are_none_when_exactly_the_named_checks_fail_with_their_phrase():
    title = {check: name for name, check in verdicts.check_of_name().items()}
    graded = result(
        (title["test_home_page_is_html"], False, "GET / → 404\nexpected GET / to answer 200, got 404 text/html"),
        (title["test_app_imports"], True, "app.py imported"),
    )
    assert verdicts.problems(graded, {"test_home_page_is_html": "EXPECTED GET / to answer 200"}) == []


def test_problems_name_each_way_a_result_misses_its_expectation():
    title = {check: name for name, check in verdicts.check_of_name().items()}
    graded = result(
        (title["test_home_page_is_html"], False, "expected GET / to be an HTML page (text/html), got application/json"),
        (title["test_app_imports"], False, "your app could not be loaded"),
        (title["test_main_block_runs_server"], True, "app.py calls app.run()"),
    )
    found = verdicts.problems(
        graded,
        {"test_home_page_is_html": "expected GET / to answer 200", "test_main_block_runs_server": "port 5000"},
    )
    assert len(found) == 3
    assert found[0].startswith("test_app_imports failed but should pass")
    assert found[1].startswith("test_main_block_runs_server passed but should fail with 'port 5000'")
    assert found[2].startswith("test_home_page_is_html failed without 'expected GET / to answer 200'")


def test_every_check_of_a_step_expands_to_its_checks():
    fails = verdicts.expectation({"fails": {"test_app_imports": "defines neither"}, "every_check": {"1": "loaded"}})
    assert fails["test_app_imports"] == "defines neither"
    assert set(fails) == set(verdicts.steps()["1"].points)
    assert set(fails.values()) == {"defines neither", "loaded"}


def test_phrases_match_whole_words_ignoring_case():
    assert verdicts.says("Expected 400 for a POST with no username, got 401", "expected 400")
    assert not verdicts.says("expected 4000 for a POST", "expected 400")
    assert not verdicts.says("XXexpected 400 for a POSTXX", "expected 400")
    assert verdicts.says('app.py has no `if __name__ == "__main__":` block', '`if __name__ == "__main__":` block')
    assert verdicts.says("holds no {{ … }} expression", "{{ … }}")


def test_a_check_may_name_several_phrases_and_must_say_each():
    title = {check: name for name, check in verdicts.check_of_name().items()}
    message = "expected GET / to answer 200, got 404\nhint: is there a route"
    graded = result((title["test_home_page_is_html"], False, message))
    assert verdicts.problems(graded, {"test_home_page_is_html": ["answer 200", "is there a route"]}) == []
    found = verdicts.problems(graded, {"test_home_page_is_html": ["answer 200", "methods=['GET']"]})
    assert len(found) == 1 and "methods=['GET']" in found[0]


def test_a_run_of_one_step_is_judged_on_that_step_alone():
    title = {check: name for name, check in verdicts.check_of_name().items()}
    graded = result((title["test_home_page_is_html"], False, "expected GET / to answer 200, got 404"))
    expected = {"test_home_page_is_html": "answer 200", "test_template_exists": "there is no templates/user.html"}
    assert verdicts.problems(graded, expected) == []
    expected["test_app_imports"] = "could not be loaded"
    missing = "test_app_imports was not graded but should fail with 'could not be loaded'"
    assert verdicts.problems(graded, expected) == [missing]


def test_a_phrase_can_name_the_cause_a_failure_is_put_down_to():
    title = {check: name for name, check in verdicts.check_of_name().items()}
    check = {"name": title["test_main_block_runs_server"], "passed": False, "message": "app.py has a syntax error"}
    blocked = {"steps": [{"id": "1", "checks": [{**check, "blocked_by": "app"}]}]}
    free = {"steps": [{"id": "1", "checks": [{**check, "blocked_by": None}]}]}
    assert verdicts.problems(blocked, {"test_main_block_runs_server": ["syntax error", "blocked_by: app"]}) == []
    assert verdicts.problems(free, {"test_main_block_runs_server": ["syntax error", "blocked_by: null"]}) == []
    assert verdicts.problems(free, {"test_main_block_runs_server": "blocked_by: app"}) != []
