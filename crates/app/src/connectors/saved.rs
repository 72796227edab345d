//! Adding, editing and removing connections: the record in the store, the secret where
//! secrets live (never the store).

use invlog_core::connections::{self, Connection, NewConnection};
use invlog_core::{CoreError, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::secrets;
use crate::engine::Engine;

/// A secret as it travels in a request: shown as `***` wherever a request is printed.
#[derive(Clone, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// A connection as saved, and where its secret went when that was not the keyring.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SavedConnection {
    pub connection: Connection,
    pub note: Option<String>,
}

fn secret_given(secret: &Secret, new: &NewConnection) -> Result<String> {
    let s = secret.0.trim();
    if s.is_empty() {
        let what = new.kind.map_or("secret", |k| k.secret_name());
        return Err(CoreError::InvalidQuery(format!("give the {what}")));
    }
    Ok(s.to_owned())
}

pub fn add(engine: &Engine, new: &NewConnection, secret: &Secret) -> Result<SavedConnection> {
    let secret = secret_given(secret, new)?;
    // The record is checked first (a duplicate name, a missing merchant id): a refused
    // connection leaves no secret behind.
    connections::validate(new)?;
    if connections::get(&*engine.store()?, &new.name).is_ok() {
        return Err(CoreError::Conflict(format!(
            "a connection named '{}' exists already",
            new.name.trim()
        )));
    }
    let (place, note) = secrets::save(engine.path(), new.name.trim(), &secret)?;
    match connections::add(&engine.writer(), new, &place) {
        Ok(connection) => Ok(SavedConnection { connection, note }),
        Err(e) => {
            let _ = secrets::delete(engine.path(), new.name.trim(), &place);
            Err(e)
        }
    }
}

/// Changes a connection; a new secret replaces the old one, a rename moves it.
pub fn edit(
    engine: &Engine,
    name: &str,
    new: &NewConnection,
    secret: Option<&Secret>,
) -> Result<SavedConnection> {
    let old = connections::get(&*engine.store()?, name)?;
    connections::validate(new)?;
    let renamed = new.name.trim() != old.name;
    let secret = match secret.filter(|s| !s.0.trim().is_empty()) {
        Some(s) => Some(secret_given(s, new)?),
        None if renamed => Some(secrets::load(engine.path(), &old.name, &old.secret_place)?),
        None => None,
    };
    let connection = connections::edit(&engine.writer(), name, new)?;
    let mut note = None;
    if let Some(secret) = secret {
        let (place, said) = secrets::save(engine.path(), &connection.name, &secret)?;
        note = said;
        if renamed || place != old.secret_place {
            let _ = secrets::delete(engine.path(), &old.name, &old.secret_place);
        }
        connections::set_secret_place(&engine.writer(), connection.id, &place)?;
    }
    let connection = connections::get(&*engine.store()?, &connection.name)?;
    Ok(SavedConnection { connection, note })
}

/// Removes a connection and forgets its secret; what it pulled stays.
pub fn remove(engine: &Engine, name: &str) -> Result<()> {
    if let Some(t) = crate::tasks::pull::live(engine, connections::get(&*engine.store()?, name)?.id)
    {
        engine.tasks().cancel(t.id);
        engine.tasks().wait(t.id);
    }
    let gone = connections::remove(&engine.writer(), name)?;
    let _ = secrets::delete(engine.path(), &gone.name, &gone.secret_place);
    Ok(())
}
