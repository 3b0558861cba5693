//! API keys, the same on every backend.

use super::T0;
use crate::auth::{NewKey, Scope};
use crate::store::Store;

pub async fn keys_are_created_once_listed_revoked_and_their_names_reused(store: &dyn Store) {
    let minted = NewKey::mint("ci", Scope::Ingest, Some("job-".into()), None, T0).unwrap();
    let created = store.create_key(minted.new.clone()).await.unwrap().unwrap();
    assert_eq!(created, minted.new.key);
    let again = NewKey::mint("ci", Scope::Read, None, None, T0).unwrap();
    assert_eq!(
        store.create_key(again.new).await.unwrap(),
        None,
        "name taken"
    );

    let live = store.live_keys().await.unwrap();
    assert_eq!(live, vec![(created.clone(), minted.new.digest)]);
    store
        .touch_keys(vec![(
            "ci".into(),
            T0.plus(std::time::Duration::from_secs(5)),
        )])
        .await
        .unwrap();
    let listed = store.list_keys().await.unwrap();
    assert_eq!(
        listed[0].last_used,
        Some(T0.plus(std::time::Duration::from_secs(5)))
    );

    let revoked = store
        .revoke_key("ci".into(), T0.plus(std::time::Duration::from_secs(9)))
        .await;
    assert_eq!(
        revoked.unwrap().unwrap().revoked,
        Some(T0.plus(std::time::Duration::from_secs(9)))
    );
    assert_eq!(
        store.revoke_key("ci".into(), T0).await.unwrap(),
        None,
        "already revoked"
    );
    assert!(store.live_keys().await.unwrap().is_empty());

    // The name is free again; both keys are listed, the new one first.
    let successor = NewKey::mint("ci", Scope::Write, None, None, T0).unwrap();
    assert!(store.create_key(successor.new).await.unwrap().is_some());
    let listed = store.list_keys().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (listed[0].scope, listed[1].scope),
        (Scope::Write, Scope::Ingest)
    );
}
