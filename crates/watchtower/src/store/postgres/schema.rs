//! The PostgreSQL schema, versioned in `watchtower_schema` and upgraded in place at
//! start. Several nodes may start at once: an advisory lock lets one migrate while
//! the others wait, then find nothing left to do.

use tokio_postgres::Client;

/// Any fixed number: names the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x5761_7463_6874_7772;

/// Each entry moves the schema one version up; never edit a released entry, append one.
/// Instants are epoch milliseconds (bigint), as in the SQLite backend.
const MIGRATIONS: &[&str] = &[
    // v1: services, events, the alert outbox, and the nodes' heartbeats.
    "CREATE FUNCTION wt_now() RETURNS bigint LANGUAGE sql VOLATILE AS
       $$ SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;
    CREATE SEQUENCE service_pulses;
    CREATE TABLE services (
        name         text PRIMARY KEY,
        alert_type   text NOT NULL,
        alert_target text NOT NULL,
        next_in      float8 NOT NULL,
        last_pulse   bigint NOT NULL,
        deadline     bigint NOT NULL,
        status       text NOT NULL CHECK (status IN ('up', 'dead')),
        seq          bigint NOT NULL,
        -- Pulses received; 1 marks the pulse that started the monitoring.
        pulses       bigint NOT NULL DEFAULT 1,
        -- Set by a pulse that ended an outage: when that outage began.
        outage_began bigint
    );
    CREATE INDEX services_due ON services (deadline) WHERE status = 'up';
    CREATE TABLE events (
        id      bigserial PRIMARY KEY,
        ts      bigint NOT NULL,
        service text NOT NULL,
        level   smallint NOT NULL,
        message text NOT NULL
    );
    CREATE INDEX events_by_service ON events (service, ts);
    CREATE INDEX events_by_ts ON events (ts);
    CREATE TABLE alerts (
        id           bigserial PRIMARY KEY,
        service      text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('down', 'up')),
        alert_type   text NOT NULL,
        alert_target text NOT NULL,
        last_pulse   bigint NOT NULL,
        deadline     bigint NOT NULL,
        down_since   bigint NOT NULL,
        created      bigint NOT NULL,
        state        text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
        attempts     integer NOT NULL DEFAULT 0,
        next_attempt bigint NOT NULL,
        lease_until  bigint,
        last_error   text
    );
    CREATE INDEX alerts_pending ON alerts (next_attempt) WHERE state = 'pending';
    CREATE INDEX alerts_by_service ON alerts (service) WHERE state = 'pending';
    CREATE TABLE alert_attempts (
        alert_id bigint NOT NULL REFERENCES alerts (id),
        at       bigint NOT NULL,
        ok       boolean NOT NULL,
        error    text
    );
    CREATE TABLE nodes (
        id        text PRIMARY KEY,
        address   text NOT NULL,
        started   bigint NOT NULL,
        last_seen bigint NOT NULL,
        stopped   boolean NOT NULL DEFAULT false
    );",
    // v2: each insert into events announces its rows (for the live feed, at
    // commit); the date indexes end with the id, so that pages (keyset on date,
    // then id) are plain index ranges; a trigram index serves message searches
    // where pg_trgm exists.
    "CREATE INDEX events_by_service_page ON events (service, ts, id);
    DROP INDEX events_by_service;
    CREATE INDEX events_by_ts_page ON events (ts, id);
    DROP INDEX events_by_ts;
    CREATE FUNCTION wt_announce_events() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM pg_notify('wt_events',
                         (txid_current() % 4294967296)::text || ',' || min(id) || ',' || max(id))
       FROM new_rows HAVING count(*) > 0;
       RETURN NULL;
     END $$;
    CREATE TRIGGER events_announce AFTER INSERT ON events
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wt_announce_events();
    DO $$ BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'pg_trgm is not available (%): message searches will scan the events', SQLERRM;
    END $$;
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX events_message_trgm ON events USING gin (message gin_trgm_ops);
      END IF;
    END $$;",
    // v3: the alert policy (see the SQLite schema's v3): services carry their
    // reminder interval, dependency, last reminder and flapping state; alerts gain
    // kinds, states, a triage stage, digests and details; snoozes and event-rule
    // rate limits get tables.
    "ALTER TABLE services ADD COLUMN remind_every float8, ADD COLUMN depends_on text,
      ADD COLUMN reminded bigint, ADD COLUMN flapping_since bigint;
    CREATE INDEX services_dead ON services (name) WHERE status = 'dead';
    CREATE INDEX services_by_dependency ON services (depends_on) WHERE depends_on IS NOT NULL;
    ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check, DROP CONSTRAINT alerts_state_check,
      ADD CONSTRAINT alerts_kind_check CHECK (kind IN
        ('down', 'up', 'reminder', 'flapping', 'stable', 'digest', 'event')),
      ADD CONSTRAINT alerts_state_check CHECK (state IN
        ('pending', 'sent', 'failed', 'cancelled', 'suppressed', 'digested')),
      ADD COLUMN triaged boolean NOT NULL DEFAULT true,
      ADD COLUMN released bigint, ADD COLUMN digest_id bigint, ADD COLUMN details text;
    UPDATE alerts SET released = created;
    ALTER TABLE alerts ALTER COLUMN triaged SET DEFAULT false;
    DROP INDEX alerts_pending;
    CREATE INDEX alerts_pending ON alerts (triaged, next_attempt) WHERE state = 'pending';
    DROP INDEX alerts_by_service;
    CREATE INDEX alerts_by_service ON alerts (service, created);
    CREATE INDEX alerts_released ON alerts (released) WHERE released IS NOT NULL;
    CREATE INDEX alerts_by_digest ON alerts (digest_id) WHERE digest_id IS NOT NULL;
    CREATE TABLE snoozes (
        id       bigserial PRIMARY KEY,
        service  text,
        prefix   text,
        starts   bigint NOT NULL,
        ends     bigint NOT NULL,
        reason   text,
        created  bigint NOT NULL
    );
    CREATE TABLE rule_fires (
        rule       text NOT NULL,
        service    text NOT NULL,
        last_fired bigint NOT NULL,
        quieted    bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (rule, service)
    );",
    // v4: an alert to a route is delivered as one alert per channel of the route,
    // each pointing back at it.
    "ALTER TABLE alerts ADD COLUMN fanned_from bigint;",
    // v5: API keys, by the SHA-256 digest of their secret; a name is unique among
    // the live ones, so that a revoked key's name can be given to its successor.
    "CREATE TABLE api_keys (
        id        bigserial PRIMARY KEY,
        name      text NOT NULL,
        digest    bytea NOT NULL UNIQUE,
        scope     text NOT NULL CHECK (scope IN ('read', 'ingest', 'write', 'admin')),
        prefix    text,
        created   bigint NOT NULL,
        expires   bigint,
        revoked   bigint,
        last_used bigint
    );
    CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked IS NULL;",
    // v6: cron schedules (the expression and its IANA zone) and grace, in seconds.
    "ALTER TABLE services ADD COLUMN schedule text, ADD COLUMN tz text, ADD COLUMN grace float8;",
    // v7: a service may be paused, or declared and not yet pulsed (`new`).
    "ALTER TABLE services DROP CONSTRAINT services_status_check,
       ADD CONSTRAINT services_status_check CHECK (status IN ('up', 'dead', 'paused', 'new'));",
    // v8: when a service was first seen, so that its uptime counts from then; a
    // service stored before takes the date of its oldest event still kept.
    "ALTER TABLE services ADD COLUMN first_seen bigint;
    UPDATE services s SET first_seen = (SELECT min(e.ts) FROM events e WHERE e.service = s.name);",
    // v9: a declared service (`new`, never pulsed) is due like an up one.
    "DROP INDEX services_due;
    CREATE INDEX services_due ON services (deadline) WHERE status IN ('up', 'new');",
    // v10: the ping history, a ring of the last entries of each service (`slot`
    // is the entry's number, `n`, modulo the history's length; `count` pings
    // folded in, the last at `last`); `started`: the run under way, and
    // `run_began`, the start of the run the last pulse ended; `ping_fold*`: what
    // folds into the newest entry (see `monitor::pings::Fold`), and `closed_*`
    // what the entry a pulse closed had folded in.
    "ALTER TABLE services ADD COLUMN pings bigint NOT NULL DEFAULT 0,
       ADD COLUMN started bigint, ADD COLUMN run_began bigint,
       ADD COLUMN ping_fold bigint, ADD COLUMN ping_fold_at bigint,
       ADD COLUMN ping_folded bigint NOT NULL DEFAULT 0, ADD COLUMN ping_fold_last bigint,
       ADD COLUMN closed_folded bigint, ADD COLUMN closed_last bigint;
    CREATE TABLE pings (
        service    text NOT NULL,
        slot       bigint NOT NULL,
        n          bigint NOT NULL,
        at         bigint NOT NULL,
        kind       text NOT NULL,
        source     text NOT NULL,
        client     text,
        user_agent text,
        body       text,
        duration   float8,
        count      bigint NOT NULL DEFAULT 1,
        last       bigint,
        PRIMARY KEY (service, slot)
    );",
    // v11: services in code point order, as `GET /` pages them (the primary
    // key's index follows the database's locale, which may differ).
    r#"CREATE INDEX services_by_code_point ON services (name COLLATE "C");"#,
    // v12: an event's attributes, as the canonical JSON the server writes (NULL:
    // none). `json`, not `jsonb`: `->>` gives each number back as it was written,
    // so filters compare the same text on every backend. Adding a nullable
    // column rewrites no row.
    "ALTER TABLE events ADD COLUMN attributes json;",
    // v13: the events that have attributes, by service and date, the attributes
    // with them: an attribute filter with a service walks these in the page's
    // order and checks each entry without reading its row (events without
    // attributes, most of them, cost nothing). Built in the migration's
    // transaction, so it holds writes to events while it builds.
    "CREATE INDEX events_with_attributes ON events (service, ts, id) INCLUDE (attributes)
       WHERE attributes IS NOT NULL;",
];

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database up to the latest version, one transaction per step.
pub async fn migrate(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS watchtower_schema (version bigint NOT NULL)")
        .await
        .or_else(ignore_concurrent_create)?;
    loop {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM watchtower_schema",
                &[],
            )
            .await?
            .get(0);
        let Some(sql) = MIGRATIONS.get(current.max(0) as usize) else {
            return tx.commit().await;
        };
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO watchtower_schema (version) VALUES ($1)",
            &[&(current + 1)],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version = current + 1, "applied storage migration");
    }
}

/// Two nodes creating the version table at the same moment: one wins, and the
/// other's unique violation on the catalog (or duplicate table, or duplicate row
/// type, depending on where the race is lost) means the table is there.
fn ignore_concurrent_create(error: tokio_postgres::Error) -> Result<(), tokio_postgres::Error> {
    use tokio_postgres::error::SqlState;
    match error.code() {
        Some(code)
            if *code == SqlState::UNIQUE_VIOLATION
                || *code == SqlState::DUPLICATE_TABLE
                || *code == SqlState::DUPLICATE_OBJECT =>
        {
            Ok(())
        }
        _ => Err(error),
    }
}
