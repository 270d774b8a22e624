"""Use cases. Each takes the session first and keyword-only arguments after; each flushes,
never commits (the transaction boundary is app.deps.get_session or app.db.session_scope)."""
