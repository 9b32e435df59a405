/**
 * Schema migrations, applied in order inside one BEGIN IMMEDIATE transaction so two processes
 * opening a fresh state dir at once cannot both apply them. Append new migrations; never edit
 * one that has shipped.
 */
import type { Database } from 'better-sqlite3'
import { StoreError } from './errors.js'

export interface Migration {
  version: number
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        tool TEXT NOT NULL,
        args_json TEXT NOT NULL,
        environment TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('allow', 'escalate', 'block')),
        decision_id TEXT NOT NULL,
        decision_json TEXT NOT NULL,
        input_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'consumed')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        decided_at INTEGER,
        decided_by TEXT,
        decision_reason TEXT,
        consumed_at INTEGER
      ) STRICT;
      CREATE INDEX approvals_by_fingerprint ON approvals (fingerprint, status, expires_at);
      CREATE INDEX approvals_by_status ON approvals (status, created_at);

      CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        plan_sha256 TEXT NOT NULL,
        plan_json_digest TEXT NOT NULL,
        workspace TEXT NOT NULL,
        environment TEXT NOT NULL,
        working_dir TEXT NOT NULL,
        tf_version TEXT,
        agent_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('allow', 'escalate', 'block')),
        reasons_json TEXT NOT NULL,
        status TEXT NOT NULL,
        summary_json TEXT NOT NULL,
        plan_path TEXT NOT NULL
      ) STRICT;
      CREATE INDEX plans_by_fingerprint ON plans (fingerprint, status);
      CREATE INDEX plans_by_status ON plans (status, created_at);

      -- The last audit line written (seq and sha256), committed with the append: reveals a log
      -- whose tail was cut off.
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    sql: `
      -- What policy judged (the whole input document, plan included) and what the apply did.
      ALTER TABLE plans ADD COLUMN input_json TEXT NOT NULL DEFAULT 'null';
      ALTER TABLE plans ADD COLUMN result_json TEXT NOT NULL DEFAULT 'null';
      ALTER TABLE plans ADD COLUMN ended_at INTEGER;
    `,
  },
]

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0

/** Bring the database to SCHEMA_VERSION; refuse one written by a newer gateway. */
export function migrate(db: Database, nowMs: number, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0
  const run = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT')
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }
    const current = row.v ?? 0
    if (current > latest) {
      throw new StoreError('store_schema_too_new', `database schema version ${current} is newer than this gateway understands (${latest}); upgrade the gateway`)
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
    for (const m of migrations) {
      if (m.version <= current) continue
      db.exec(m.sql)
      record.run(m.version, nowMs)
    }
    return Math.max(current, latest)
  })
  return run.immediate()
}
