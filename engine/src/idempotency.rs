//! Idempotency keys: a client's name for one stock movement, so that the movement happens once
//! however often the client sends it.
//!
//! Receipts, returns, adjustments and short picks carry no id of their own: sent twice (an
//! answer lost to a timeout, a retry), each moves the units twice, and a receipt counted twice
//! is stock that does not exist. [`crate::journal::Command::Keyed`] wraps one of them with a
//! key. The first time a key's command changes the books, the engine keeps the key, the
//! command (without its time) and what it did; the same command under the same key later
//! changes nothing and answers what the first one did; another command under the same key is
//! refused. A refused command keeps nothing, so its retry is tried afresh.
//!
//! Keys are state: journaled with their command, kept in snapshots, part of the state hash.
//! They are forgotten with the finished orders ([`crate::Engine::archive_finished_before`]):
//! a key first used before the archive's cut is gone, and its command would apply again.
//!
//! This module holds the table; [`crate::journal`] applies keyed commands through it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lifecycle::{Adjusted, Receipt, ReturnOutcome, ShortPicked};

/// The longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 255;

/// A client's key: 1 to [`MAX_KEY_BYTES`] bytes of printable ASCII (space to `~`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

/// Why a string is not an [`IdempotencyKey`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadKey {
    /// No characters.
    #[error("an idempotency key cannot be empty")]
    Empty,
    /// Too long.
    #[error("an idempotency key holds at most {MAX_KEY_BYTES} bytes, this one {0}")]
    TooLong(usize),
    /// A control or non-ASCII character.
    #[error("an idempotency key is printable ASCII; byte {at} is {byte:#04x}")]
    NotPrintable {
        /// Its position.
        at: usize,
        /// The byte.
        byte: u8,
    },
}

/// Why a keyed command was refused (nothing changed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key was first used for another command.
    #[error("idempotency key `{key}` was used for another request (applied at {first_applied_at_ms} ms)")]
    Conflict {
        /// The key.
        key: IdempotencyKey,
        /// When its command was applied.
        first_applied_at_ms: u64,
    },
    /// Only receipts, returns, adjustments and short picks take a key.
    #[error("only a receipt, a return, an adjustment or a short pick takes an idempotency key")]
    NotKeyable,
}

impl IdempotencyKey {
    /// `key`, if it is a valid key.
    pub fn new(key: impl Into<String>) -> Result<IdempotencyKey, BadKey> {
        let key = key.into();
        if key.is_empty() {
            return Err(BadKey::Empty);
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(BadKey::TooLong(key.len()));
        }
        if let Some((at, &byte)) =
            (key.as_bytes().iter().enumerate()).find(|(_, &b)| !(b' '..=b'~').contains(&b))
        {
            return Err(BadKey::NotPrintable { at, byte });
        }
        Ok(IdempotencyKey(key))
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = BadKey;

    fn try_from(key: String) -> Result<Self, BadKey> {
        IdempotencyKey::new(key)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> String {
        key.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a keyed command did the first time it changed the books.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Done {
    /// A receipt.
    Receive(Receipt),
    /// A return.
    RestockReturn(ReturnOutcome),
    /// An adjustment.
    Adjust(Adjusted),
    /// A short pick.
    ShortPick(ShortPicked),
}

impl Done {
    /// Whether every SKU and warehouse it names is one of `skus` and `warehouses` (a loaded
    /// snapshot's keys are answered back to clients, who read these ids as codes).
    pub(crate) fn fits(&self, skus: u32, warehouses: u16) -> bool {
        match self {
            Done::Receive(r) => r.sku.0 < skus && r.warehouse.0 < warehouses,
            Done::RestockReturn(r) => r.by_warehouse.iter().all(|(w, _)| w.0 < warehouses),
            Done::Adjust(_) | Done::ShortPick(_) => true,
        }
    }
}

/// One remembered key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyState {
    /// The key.
    pub key: IdempotencyKey,
    /// Its command as encoded by [`crate::codec`], with its time set to 0: what a retry must
    /// equal.
    pub request: Vec<u8>,
    /// When it was applied.
    pub applied_at_ms: u64,
    /// What it did.
    pub done: Done,
}

/// The keys the engine remembers, in key order: keys come from clients, and an ordered map
/// cannot be made slow by keys chosen to collide.
#[derive(Debug, Default)]
pub(crate) struct KeyTable {
    keys: BTreeMap<IdempotencyKey, KeyState>,
}

impl KeyTable {
    pub(crate) fn get(&self, key: &IdempotencyKey) -> Option<&KeyState> {
        self.keys.get(key)
    }

    /// Remembers `state`; false if its key is already remembered.
    pub(crate) fn insert(&mut self, state: KeyState) -> bool {
        match self.keys.entry(state.key.clone()) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(state);
                true
            }
        }
    }

    /// Forgets the keys applied before `before_ms`.
    pub(crate) fn forget_before(&mut self, before_ms: u64) {
        self.keys
            .retain(|_, state| state.applied_at_ms >= before_ms);
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Every key, in key order: for snapshots and the state hash.
    pub(crate) fn sorted(&self) -> Vec<KeyState> {
        self.keys.values().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.keys.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_printable_ascii_bytes() {
        assert_eq!(IdempotencyKey::new("").unwrap_err(), BadKey::Empty);
        assert!(IdempotencyKey::new("a b~c-9").is_ok());
        assert!(IdempotencyKey::new("k".repeat(255)).is_ok());
        assert_eq!(
            IdempotencyKey::new("k".repeat(256)).unwrap_err(),
            BadKey::TooLong(256)
        );
        assert_eq!(
            IdempotencyKey::new("ab\ncd").unwrap_err(),
            BadKey::NotPrintable { at: 2, byte: b'\n' }
        );
        assert_eq!(
            IdempotencyKey::new("é").unwrap_err(),
            BadKey::NotPrintable { at: 0, byte: 0xc3 }
        );
        // A key that does not validate does not decode either.
        let bytes = crate::codec::encode(&"a\u{7f}".to_string()).unwrap();
        assert!(crate::codec::decode::<IdempotencyKey>(&bytes).is_err());
    }
}
