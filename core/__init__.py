"""Infrastructure every app shares, with no domain rules: how history is written (core.history) and how
typed text is checked (core.text). It imports from no app, so matrix, sharing, audit, accounts and
transparency depend on it and never on each other's internals for these."""
