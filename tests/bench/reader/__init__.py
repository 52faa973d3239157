"""Reader-side measures of compaction: real conversations and real agent sessions.

- :mod:`devdata` — where the shared development data is (when present);
- :mod:`dialogue` — a neutral conversation model, the LoCoMo loader and the generated styles;
- :mod:`render` — the renderings a chat client sends (merged, stamped, ``name`` field, chat log);
- :mod:`dates` — the dates a reader sees at the start of a line or in a digest label;
- :mod:`reading` — reading units, BM25, reader recall, attributed evidence, segment attribution;
- :mod:`extraction` — the whole-turn extraction baseline;
- :mod:`compaction` — the compactor called as ``ctxproxy compress`` calls it;
- :mod:`conversations` — the conversation run and its tables (``bench_reader.py``);
- :mod:`answer_key` — the digest weighted by the answer key, a ceiling (``bench_reader_ceiling.py``);
- :mod:`agent` — later-needed facts, checks and baselines on coding-agent sessions;
- :mod:`sessions` — the agent-session run and its tables (``bench_agent_sessions.py``).
"""
