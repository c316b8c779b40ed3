"""checker: the assertion counter of the runners that check many facts of one
output (tests/crafted/run.py, tests/hostile/run.py): every failed fact is kept
as a problem line (what, and got/want), every held one counted."""


class Checker:
    def __init__(self):
        self.problems = []
        self.passed = 0

    def ok(self, what, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.problems.append(f"{what}{': ' + detail if detail else ''}")

    def eq(self, what, got, want):
        self.ok(what, got == want, f"got {got!r}, want {want!r}")

    def true(self, what, cond):
        self.eq(what, bool(cond), True)
