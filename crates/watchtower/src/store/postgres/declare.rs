//! Declaring a service before its first pulse, or changing how it is watched,
//! in its caller's transaction.

use deadpool_postgres::Transaction;

use super::PgError;
use super::rows::{SERVICE_COLUMN_COUNT, SERVICE_COLUMNS, service_from_row};
use super::write::{EventRow, insert_events};
use crate::monitor::{Declaration, DeclarePlan, Declared, Pulse, Service, ServiceName, story};

pub async fn declare_service(
    tx: &Transaction<'_>,
    declaration: &Pulse,
) -> Result<Declared, PgError> {
    let name = declaration.service.as_str();
    let select = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = $1 FOR UPDATE");
    let found = |row: Option<tokio_postgres::Row>| row.as_ref().map(service_from_row).transpose();
    let mut existing = found(tx.query_opt(&select, &[&name]).await?)?;
    if existing.is_none() {
        if let Some(declared) = create(tx, declaration).await? {
            return Ok(declared);
        }
        // Another node declared or pulsed it meanwhile: change that one.
        existing = found(tx.query_opt(&select, &[&name]).await?)?;
    }
    let Some(existing) = existing else {
        return Err(PgError::Raced(format!(
            "`{name}` was created and removed while it was being declared"
        )));
    };
    change(tx, declaration, existing).await
}

/// Inserts the service as `new`; `None` when a row of that name appeared.
async fn create(tx: &Transaction<'_>, declaration: &Pulse) -> Result<Option<Declared>, PgError> {
    let DeclarePlan::Create { deadline } = declaration.plan_declaration(None) else {
        unreachable!("a service not found is created");
    };
    let (schedule, tz) = declaration.schedule_columns();
    let sql = format!(
        "INSERT INTO services (name, alert_type, alert_target, next_in, last_pulse, deadline,
                               status, seq, remind_every, depends_on, schedule, tz, grace,
                               first_seen, pulses)
         VALUES ($1, $2, $3, $4, $5, $6, 'new', nextval('service_pulses'), $7, $8, $9, $10, $11,
                 $5, 0)
         ON CONFLICT (name) DO NOTHING
         RETURNING {SERVICE_COLUMNS}, seq"
    );
    let row = tx
        .query_opt(
            &sql,
            &[
                &declaration.service.as_str(),
                &declaration.alert.kind.as_str(),
                &declaration.alert.target,
                &declaration.next_in_seconds(),
                &declaration.at.as_millis(),
                &deadline.as_millis(),
                &declaration.remind_every,
                &declaration.depends_on.as_ref().map(ServiceName::as_str),
                &schedule,
                &tz,
                &declaration.grace_seconds(),
            ],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let event = EventRow::new(
        &declaration.service,
        story::declared(declaration.window()),
        declaration.at,
    );
    insert_events(tx, &[event]).await?;
    Ok(Some(Declared {
        service: service_from_row(&row)?,
        seq: Some(row.try_get(SERVICE_COLUMN_COUNT)?),
        outcome: Declaration::Created,
    }))
}

async fn change(
    tx: &Transaction<'_>,
    declaration: &Pulse,
    found: Service,
) -> Result<Declared, PgError> {
    let DeclarePlan::Change {
        changed,
        next_in,
        deadline,
    } = declaration.plan_declaration(Some(&found))
    else {
        return Ok(Declared {
            service: found,
            seq: None,
            outcome: Declaration::Unchanged,
        });
    };
    let (schedule, tz) = declaration.schedule_columns();
    let sql = format!(
        "UPDATE services SET alert_type = $2, alert_target = $3, next_in = $4,
           remind_every = $5, depends_on = $6, schedule = $7, tz = $8, grace = $9,
           deadline = coalesce($10, deadline),
           seq = CASE WHEN $10::bigint IS NULL THEN seq ELSE nextval('service_pulses') END
         WHERE name = $1 RETURNING {SERVICE_COLUMNS}, seq"
    );
    let row = tx
        .query_one(
            &sql,
            &[
                &declaration.service.as_str(),
                &declaration.alert.kind.as_str(),
                &declaration.alert.target,
                &next_in,
                &declaration.remind_every,
                &declaration.depends_on.as_ref().map(ServiceName::as_str),
                &schedule,
                &tz,
                &declaration.grace_seconds(),
                &deadline.map(|deadline| deadline.as_millis()),
            ],
        )
        .await?;
    let event = EventRow::new(
        &declaration.service,
        story::redeclared(&changed),
        declaration.at,
    );
    insert_events(tx, &[event]).await?;
    Ok(Declared {
        service: service_from_row(&row)?,
        seq: deadline
            .map(|_| row.try_get(SERVICE_COLUMN_COUNT))
            .transpose()?,
        outcome: Declaration::Changed(changed),
    })
}
