-- medcode knowledge base, schema version 1.
-- Raw rows keep the source (file + release) they came from; derived tables are rebuilt by the builder.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- One row per imported file.
CREATE TABLE sources (
    id           INTEGER PRIMARY KEY,
    dataset      TEXT NOT NULL,      -- lineage: releases of one dataset supersede one another
    publisher    TEXT NOT NULL,
    release      TEXT NOT NULL,
    effective    TEXT NOT NULL,      -- ISO date the release takes effect
    end_date     TEXT,               -- nominal end of the release period, if the publisher states one
    complete     INTEGER NOT NULL,   -- 0 for extracts: missing codes are not deletions
    systems      TEXT NOT NULL,      -- JSON list of code systems whose full code list this file defines
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    row_count    INTEGER NOT NULL DEFAULT 0,
    imported_at  TEXT NOT NULL
);

-- Every code as each release states it.
CREATE TABLE codes (
    system      TEXT NOT NULL,
    code        TEXT NOT NULL,
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    title       TEXT,
    short_title TEXT,
    billable    INTEGER,
    kind        TEXT NOT NULL,
    parent      TEXT,
    attrs       TEXT,               -- JSON object of publisher-specific fields
    PRIMARY KEY (system, code, source_id)
) WITHOUT ROWID;
CREATE INDEX codes_by_code ON codes (code);
CREATE INDEX codes_by_parent ON codes (system, parent);

CREATE TABLE terms (
    system    TEXT NOT NULL,
    code      TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    term      TEXT NOT NULL,
    kind      TEXT NOT NULL
);
CREATE INDEX terms_by_code ON terms (system, code);

CREATE TABLE notes (
    system    TEXT NOT NULL,
    code      TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    refs      TEXT NOT NULL          -- JSON list of codes the note mentions
);
CREATE INDEX notes_by_code ON notes (system, code);

CREATE TABLE fee_schedule (
    code      TEXT NOT NULL,
    modifier  TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    fields    TEXT NOT NULL,         -- JSON object, keys as in codesets.mpfs_rvu.FIELDS
    PRIMARY KEY (code, modifier, source_id)
) WITHOUT ROWID;

CREATE TABLE mue (
    setting   TEXT NOT NULL,
    code      TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    units     INTEGER NOT NULL,
    mai       INTEGER,
    rationale TEXT,
    PRIMARY KEY (code, setting, source_id)
) WITHOUT ROWID;

CREATE TABLE ptp (
    setting            TEXT NOT NULL,
    column1            TEXT NOT NULL,
    column2            TEXT NOT NULL,
    source_id          INTEGER NOT NULL,
    effective          TEXT,
    deletion           TEXT,
    modifier_indicator TEXT NOT NULL,
    prior_1996         INTEGER,
    rationale_id       INTEGER REFERENCES ptp_rationales(id)  -- a handful of texts repeated millions of times
);
CREATE TABLE ptp_rationales (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);

-- Content packs (medcode-authored data with citations), stored as the validated JSON of each pack.
CREATE TABLE packs (
    id        TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    version   TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE TABLE pack_codes (
    pack_id TEXT NOT NULL,
    system  TEXT NOT NULL,
    code    TEXT NOT NULL,
    body    TEXT NOT NULL            -- JSON of the pack's entry for this code
);
CREATE INDEX pack_codes_by_code ON pack_codes (code);

-- Derived: the state of each code across releases (rebuilt after every import).
CREATE TABLE code_status (
    system        TEXT NOT NULL,
    code          TEXT NOT NULL,
    status        TEXT NOT NULL,     -- active | deleted
    newest_source INTEGER NOT NULL,  -- newest release that has the code
    PRIMARY KEY (system, code)
) WITHOUT ROWID;
CREATE INDEX code_status_by_code ON code_status (code);

-- Derived: search documents (one per title or term) and their full-text index.
CREATE TABLE search_docs (
    id       INTEGER PRIMARY KEY,
    system   TEXT NOT NULL,
    code     TEXT NOT NULL,
    kind     TEXT NOT NULL,          -- title | short_title | inclusion | index | synonym | pack ...
    text     TEXT NOT NULL,
    norm     TEXT NOT NULL,          -- normalised words, space separated, for re-ranking
    core     TEXT NOT NULL,          -- distinct content words outside parentheses (nonessential modifiers)
    billable INTEGER
);
CREATE VIRTUAL TABLE search_fts USING fts5 (
    text, content='search_docs', content_rowid='id',
    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3 4'
);
CREATE TABLE search_words (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID;
