//! Streaming readers of the config and state files: what a caller needs of 10,000 accounts
//! (each account's digest, one account's state) without holding every account in memory at
//! once, even for a moment.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::config::Settings;
use crate::account::{Account, AccountId};

/// The config object, its `accounts` handed one by one to a callback; the other keys are
/// checked as [`super::config::Config`] checks them (`version` a number, `settings` valid).
pub struct ConfigSeed<'f, F>(pub &'f mut F);

impl<'de, F: FnMut(Account)> DeserializeSeed<'de> for ConfigSeed<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Account)> Visitor<'de> for ConfigSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TokenKeeper config object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "accounts" => map.next_value_seed(AccountsSeed(&mut *self.0))?,
                "version" => drop(map.next_value::<u32>()?),
                "settings" => drop(map.next_value::<Settings>()?),
                _ => drop(map.next_value::<IgnoredAny>()?),
            }
        }
        Ok(())
    }
}

/// The `accounts` array, each element parsed, handed over and dropped before the next.
struct AccountsSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(Account)> DeserializeSeed<'de> for AccountsSeed<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Account)> Visitor<'de> for AccountsSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of accounts")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(account) = seq.next_element::<Account>()? {
            (self.0)(account);
        }
        Ok(())
    }
}

/// A state file object, of which only one account's entry `T` is parsed (the others are
/// skipped as JSON, unchecked). Gives the file's `version` (`None` when absent) and the entry,
/// if present.
pub struct StateEntrySeed<T>(pub AccountId, pub PhantomData<T>);

impl<'de, T: serde::Deserialize<'de>> DeserializeSeed<'de> for StateEntrySeed<T> {
    type Value = (Option<u32>, Option<T>);

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for StateEntrySeed<T> {
    type Value = (Option<u32>, Option<T>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TokenKeeper state object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut version, mut entry) = (None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "version" => version = Some(map.next_value()?),
                "accounts" => entry = map.next_value_seed(EntrySeed(self.0, PhantomData))?,
                _ => drop(map.next_value::<IgnoredAny>()?),
            }
        }
        Ok((version, entry))
    }
}

/// The `accounts` map of a state file: the entry of one id, the rest skipped.
struct EntrySeed<T>(AccountId, PhantomData<T>);

impl<'de, T: serde::Deserialize<'de>> DeserializeSeed<'de> for EntrySeed<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for EntrySeed<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("accounts by id")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(id) = map.next_key::<AccountId>()? {
            if id == self.0 {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}
