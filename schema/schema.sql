-- ahtrace replay database, schema version 1.
--
-- Written by `ahtrace replay TRACE -o app.db`. One database holds one trace.
-- Positions: every event has (stream_id, seq), seq being its 0-based index
-- among its stream's events; *_seq columns use that. Times are nanoseconds
-- since the Unix epoch (*_ts_ns). NULL means "did not happen" or "not
-- recorded", as each column says. Rows are written in trace order, so the
-- same trace always gives the same rows (`sqlite3 app.db .dump` is stable).

-- Key/value facts about the database: schema_version, format_version,
-- ahtrace_version.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per stream: one thread of one recorded process.
CREATE TABLE stream (
  stream_id      INTEGER PRIMARY KEY, -- 0-based, in replay order
  pid            INTEGER NOT NULL,
  ppid           INTEGER NOT NULL,    -- parent pid (0 if unknown)
  thread_id      INTEGER NOT NULL,    -- worker_threads.threadId; 0 = main thread
  is_main_thread INTEGER NOT NULL,    -- 1 or 0
  node_version   TEXT NOT NULL,       -- e.g. 'v20.20.2'
  path           TEXT NOT NULL,       -- file the stream was read from
  ended_cleanly  INTEGER NOT NULL,    -- 1 if the stream has its end record (0: killed, or still running)
  exit_code      INTEGER,             -- process/thread exit code; NULL when it did not end cleanly
  events         INTEGER NOT NULL,    -- events read from this stream
  header_json    TEXT NOT NULL        -- the stream header as recorded
);

-- Every event of the trace, as recorded, with what the model computed.
CREATE TABLE event (
  stream_id     INTEGER NOT NULL REFERENCES stream(stream_id),
  seq           INTEGER NOT NULL,  -- 0-based position in the stream
  kind          TEXT NOT NULL,     -- init, before, after, destroy, promiseResolve, als*, streamEnd
  async_id      INTEGER,           -- hook events: the resource; NULL for other kinds
  trigger_async_id INTEGER,        -- init only: the trigger; else NULL
  type          TEXT,              -- init only: the resource type; else NULL
  storage_id    INTEGER,           -- ALS events: the storage; else NULL
  store_id      INTEGER,           -- ALS events with a store (run, enterWith, getStore): 0 = undefined; else NULL
  observed_eid  INTEGER,           -- executionAsyncId() as node reported it; NULL if not recorded
  observed_tid  INTEGER,           -- triggerAsyncId() as node reported it; NULL if not recorded
  ts_ns         INTEGER NOT NULL,
  site          TEXT,              -- first user frame file:line:column; NULL when not captured
  location      INTEGER NOT NULL,  -- byte offset (binary stream; counted on across a stream's segments) or line number (NDJSON) in the file
  PRIMARY KEY (stream_id, seq)
) WITHOUT ROWID;

-- One row per async resource (plus one '(top-level)' row per stream for the
-- bootstrap context, async id 1, and '(unknown)' rows for ids the trace uses
-- without an init).
CREATE TABLE resource (
  resource_id        INTEGER PRIMARY KEY, -- unique in this database, in creation order
  stream_id          INTEGER NOT NULL REFERENCES stream(stream_id),
  async_id           INTEGER NOT NULL,
  type               TEXT NOT NULL,       -- e.g. Timeout, PROMISE, TCPWRAP; '(top-level)', '(unknown)'
  trigger_async_id   INTEGER,             -- triggerAsyncId (the trigger graph); NULL for synthetic rows
  trigger_resource_id INTEGER,            -- the trigger's row, NULL when it is not a known resource
  execution_async_id INTEGER,             -- executionAsyncId when it was created (the execution graph); NULL for synthetic rows
  execution_resource_id INTEGER,          -- that resource's row; NULL when unknown
  synthetic          INTEGER NOT NULL,    -- 1 for '(top-level)' and '(unknown)' rows
  site               TEXT,                -- creation site file:line:column; NULL when not recorded
  init_seq           INTEGER,             -- NULL for synthetic rows
  init_ts_ns         INTEGER,
  first_before_seq   INTEGER,             -- first callback entry; NULL if its callback never ran
  first_before_ts_ns INTEGER,
  last_after_seq     INTEGER,             -- last callback exit; NULL if none finished
  last_after_ts_ns   INTEGER,
  callbacks          INTEGER NOT NULL,    -- number of before/after spans entered
  promise_resolve_seq INTEGER,            -- first promiseResolve; NULL if never resolved (or not a promise)
  promise_resolve_ts_ns INTEGER,
  destroy_seq        INTEGER,             -- NULL: never destroyed (alive at the end of the trace)
  destroy_ts_ns      INTEGER
);

-- One row per before/after span: a callback of a resource running.
CREATE TABLE callback (
  callback_id        INTEGER PRIMARY KEY, -- unique, in entry order
  stream_id          INTEGER NOT NULL,
  resource_id        INTEGER NOT NULL REFERENCES resource(resource_id),
  async_id           INTEGER NOT NULL,
  depth              INTEGER NOT NULL,    -- 0 = nothing else on the execution stack
  parent_callback_id INTEGER,             -- the enclosing span; NULL at depth 0
  before_seq         INTEGER NOT NULL,
  after_seq          INTEGER,             -- NULL: never finished (process.exit(), a kill)
  start_ts_ns        INTEGER NOT NULL,
  end_ts_ns          INTEGER,             -- NULL when never finished
  duration_ns        INTEGER              -- end - start; NULL when never finished
);

-- AsyncLocalStorage instances, as the recorder numbered them per stream.
CREATE TABLE storage (
  stream_id   INTEGER NOT NULL,
  storage_id  INTEGER NOT NULL,  -- 1, 2, ... in creation order within the stream
  created_seq INTEGER,           -- NULL if the trace never showed its creation
  site        TEXT,              -- where `new AsyncLocalStorage()` ran; NULL if not captured
  PRIMARY KEY (stream_id, storage_id)
) WITHOUT ROWID;

-- Store values, numbered per stream by first appearance; 0 is undefined.
CREATE TABLE store (
  stream_id  INTEGER NOT NULL,
  store_id   INTEGER NOT NULL,
  label      TEXT NOT NULL,      -- short preview of the value, e.g. '{ requestId: 1 }'
  value_kind TEXT NOT NULL,      -- object, function, string, number, boolean, null, other, undefined
  PRIMARY KEY (stream_id, store_id)
) WITHOUT ROWID;

-- Every time a resource's store slot for a storage was set, and why:
-- 'init' (copied from the creating context), 'run', 'run-restore' (the end
-- of run() puts the old value back), 'enterWith'. A resource created with
-- no store (undefined) has no 'init' row: no row means undefined.
CREATE TABLE resource_store (
  resource_id INTEGER NOT NULL REFERENCES resource(resource_id),
  storage_id  INTEGER NOT NULL,
  store_id    INTEGER NOT NULL,  -- 0 = undefined
  seq         INTEGER NOT NULL,  -- the event that set it
  cause       TEXT NOT NULL
);

-- The stores each callback started with (only storages whose store was not
-- undefined get a row).
CREATE TABLE callback_store (
  callback_id INTEGER NOT NULL REFERENCES callback(callback_id),
  storage_id  INTEGER NOT NULL,
  store_id    INTEGER NOT NULL
);

-- Every getStore() call: what node returned and what the model expected.
CREATE TABLE store_read (
  stream_id         INTEGER NOT NULL,
  seq               INTEGER NOT NULL,
  storage_id        INTEGER NOT NULL,
  store_id          INTEGER NOT NULL,  -- what node returned; 0 = undefined
  expected_store_id INTEGER NOT NULL,  -- what the model computed
  resource_id       INTEGER NOT NULL,  -- the executing resource (executionAsyncResource())
  async_id          INTEGER NOT NULL,  -- its async id
  site              TEXT,              -- the getStore() call site; NULL if not captured
  PRIMARY KEY (stream_id, seq)
) WITHOUT ROWID;

-- Broken rules, model/node disagreements (kind LIKE '%mismatch%') and
-- unreadable records.
CREATE TABLE finding (
  finding_id INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,     -- e.g. eid-mismatch, store-mismatch, stack-corrupted, destroy-twice
  severity   TEXT NOT NULL,     -- error, warning, info
  stream_id  INTEGER,           -- NULL if the problem is not tied to a stream
  seq        INTEGER,           -- the event; NULL for stream-level findings
  location   INTEGER,           -- byte offset or line of the event in its file; NULL if none
  async_id   INTEGER,           -- the resource concerned; NULL if none
  expected   TEXT,              -- what the model expected; NULL if not applicable
  observed   TEXT,              -- what the trace shows; NULL if not applicable
  message    TEXT NOT NULL
);

-- Trigger graph: child <- trigger (why a resource exists).
CREATE VIEW trigger_edge AS
  SELECT r.trigger_resource_id AS parent_resource_id, r.resource_id AS child_resource_id,
         p.type AS parent_type, r.type AS child_type, r.stream_id
  FROM resource r JOIN resource p ON p.resource_id = r.trigger_resource_id;

-- Execution graph: child <- the resource whose callback created it (when).
CREATE VIEW execution_edge AS
  SELECT r.execution_resource_id AS parent_resource_id, r.resource_id AS child_resource_id,
         p.type AS parent_type, r.type AS child_type, r.stream_id
  FROM resource r JOIN resource p ON p.resource_id = r.execution_resource_id;

-- Resources alive at the end of the trace (never destroyed), real ones only.
-- PROMISE rows are destroyed only by GC, so most appear here; filter on type.
CREATE VIEW alive_at_end AS
  SELECT * FROM resource WHERE destroy_seq IS NULL AND synthetic = 0;

-- Depth of every resource in the trigger graph, deepest first: the longest
-- trigger chains end at the top rows.
CREATE VIEW trigger_depth AS
  WITH RECURSIVE chain(resource_id, root_id, depth) AS (
    SELECT resource_id, resource_id, 0 FROM resource WHERE trigger_resource_id IS NULL
    UNION ALL
    SELECT r.resource_id, c.root_id, c.depth + 1
    FROM resource r JOIN chain c ON r.trigger_resource_id = c.resource_id
  )
  SELECT resource_id, root_id, depth FROM chain ORDER BY depth DESC, resource_id;

-- Indexes. The replay writer creates them after the bulk load, which is
-- faster; everything above this marker runs first.
-- @indexes
CREATE INDEX resource_by_async_id ON resource(stream_id, async_id);
CREATE INDEX resource_by_trigger ON resource(trigger_resource_id);
CREATE INDEX resource_by_execution ON resource(execution_resource_id);
CREATE INDEX callback_by_resource ON callback(resource_id);
CREATE INDEX resource_store_by_resource ON resource_store(resource_id);
CREATE INDEX resource_store_by_store ON resource_store(storage_id, store_id);
CREATE INDEX callback_store_by_store ON callback_store(storage_id, store_id);
