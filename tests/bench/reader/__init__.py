"""Reader-side measures of compaction: real conversations and real agent sessions.

- :mod:`dialogue` — a neutral conversation model, the LoCoMo loader and the generated styles;
- :mod:`render` — the renderings a chat client sends (merged, stamped, ``name`` field, chat log);
- :mod:`dates` — the dates a reader sees at the start of a line or in a digest label;
- :mod:`reading` — reading units, BM25, reader recall and attributed evidence;
- :mod:`extraction` — the whole-turn extraction baseline;
- :mod:`agent` — later-needed facts, checks and baselines on coding-agent sessions.
"""
