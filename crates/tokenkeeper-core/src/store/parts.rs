//! Secrets longer than one keychain entry holds. Windows' Credential Manager keeps at most
//! 2,560 bytes per credential, which the store fills with UTF-16 (1,280 characters); JWTs with
//! many group claims, and some APIs' own tokens, are longer. Such a secret is kept in numbered
//! parts, and the account's own entry holds a manifest naming them:
//! `tokenkeeper-parts:v1:<generation>:<count>:<digest>`.
//!
//! A reader never gets half of an old secret and half of a new one: a writer puts the new parts
//! under a new random generation, then swaps the manifest (one write, the switch), then deletes
//! the old generation's parts. A reader that raced a writer finds a part missing or a digest
//! that does not match, and reads again from the manifest. A secret that fits stays one plain
//! entry, as before.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// What a manifest starts with.
pub const MARK: &str = "tokenkeeper-parts:v1:";
/// How often a read that raced a writer starts again.
const READ_ATTEMPTS: usize = 4;

/// Named entries of one keychain (blocking).
pub trait Entries {
    /// The value of `user`'s entry, if there is one.
    fn read(&self, user: &str) -> Result<Option<Zeroizing<String>>>;
    /// Creates or replaces `user`'s entry.
    fn write(&self, user: &str, value: &str) -> Result<()>;
    /// Deletes `user`'s entry; a missing one is not an error.
    fn remove(&self, user: &str) -> Result<()>;
}

/// A manifest's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Manifest {
    generation: u32,
    count: usize,
    digest: [u8; 8],
}

impl Manifest {
    fn parse(text: &str) -> Option<Self> {
        let mut fields = text.strip_prefix(MARK)?.split(':');
        let generation = fields.next()?.parse().ok()?;
        let count = fields.next()?.parse().ok()?;
        let hex = fields.next()?;
        if fields.next().is_some() || hex.len() != 16 {
            return None;
        }
        let mut digest = [0_u8; 8];
        for (i, byte) in digest.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
        }
        Some(Self {
            generation,
            count,
            digest,
        })
    }

    fn text(&self) -> String {
        let hex: String = self.digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("{MARK}{}:{}:{hex}", self.generation, self.count)
    }
}

fn digest(value: &str) -> [u8; 8] {
    let full = Sha256::digest(value.as_bytes());
    let mut out = [0_u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

fn part_user(user: &str, generation: u32, index: usize) -> String {
    format!("{user}#{generation}.{index}")
}

/// Cuts `value` into pieces of at most `limit` UTF-16 units, at character boundaries.
fn split(value: &str, limit: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut units) = (0, 0);
    for (at, c) in value.char_indices() {
        if units + c.len_utf16() > limit {
            pieces.push(&value[start..at]);
            start = at;
            units = 0;
        }
        units += c.len_utf16();
    }
    pieces.push(&value[start..]);
    pieces
}

/// Reads `user`'s secret, whole, whether it is one entry or parts.
pub fn read(entries: &impl Entries, user: &str) -> Result<Option<Zeroizing<String>>> {
    for _ in 0..READ_ATTEMPTS {
        let Some(main) = entries.read(user)? else {
            return Ok(None);
        };
        let Some(manifest) = Manifest::parse(&main) else {
            return Ok(Some(main));
        };
        let mut whole = Zeroizing::new(String::new());
        let mut complete = true;
        for index in 0..manifest.count {
            match entries.read(&part_user(user, manifest.generation, index))? {
                Some(part) => whole.push_str(&part),
                None => {
                    complete = false;
                    break;
                }
            }
        }
        if complete && digest(&whole) == manifest.digest {
            return Ok(Some(whole));
        }
        // A writer replaced the secret while this read its parts: read the new manifest.
    }
    Err(Error::Keychain(
        "the parts of a long secret in the keychain do not fit together: log in again to \
         store it anew"
            .to_owned(),
    ))
}

/// Stores `value` for `user`: one entry when it fits in `limit` UTF-16 units (`None`: no
/// limit), else parts under a new generation and the manifest, then the old parts go.
pub fn write(entries: &impl Entries, user: &str, value: &str, limit: Option<usize>) -> Result<()> {
    // Without a limit no part was ever written: one write, no read first (every refresh
    // stores a token, and a keychain read is a D-Bus round trip).
    let Some(limit) = limit else {
        return entries.write(user, value);
    };
    let old = entries.read(user)?.and_then(|main| Manifest::parse(&main));
    if value.encode_utf16().count() <= limit && !value.starts_with(MARK) {
        entries.write(user, value)?;
    } else {
        write_parts(entries, user, value, limit, old)?;
    }
    if let Some(old) = old {
        remove_parts(entries, user, old);
    }
    Ok(())
}

/// The parts under a new generation, then the manifest naming them; on a failure the parts
/// written go again and the old secret stays.
fn write_parts(
    entries: &impl Entries,
    user: &str,
    value: &str,
    limit: usize,
    old: Option<Manifest>,
) -> Result<()> {
    // Never the generation in use: a reader of the old parts must not find new ones.
    let generation = loop {
        let g: u32 = rand::random();
        if old.is_none_or(|o| o.generation != g) {
            break g;
        }
    };
    let pieces = split(value, limit);
    let undo = |written: usize| {
        for index in 0..written {
            let _ = entries.remove(&part_user(user, generation, index));
        }
    };
    for (index, piece) in pieces.iter().enumerate() {
        if let Err(e) = entries.write(&part_user(user, generation, index), piece) {
            undo(index);
            return Err(e);
        }
    }
    let manifest = Manifest {
        generation,
        count: pieces.len(),
        digest: digest(value),
    };
    entries
        .write(user, &manifest.text())
        .inspect_err(|_| undo(pieces.len()))
}

/// Deletes `user`'s secret: the entry first (readers then find none), then its parts.
pub fn remove(entries: &impl Entries, user: &str) -> Result<()> {
    let old = entries.read(user)?.and_then(|main| Manifest::parse(&main));
    entries.remove(user)?;
    if let Some(old) = old {
        remove_parts(entries, user, old);
    }
    Ok(())
}

fn remove_parts(entries: &impl Entries, user: &str, manifest: Manifest) {
    for index in 0..manifest.count {
        if let Err(e) = entries.remove(&part_user(user, manifest.generation, index)) {
            tracing::warn!(error = %e, "cannot delete a part of a replaced secret");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;

    /// What runs before a read.
    type Hook = Box<dyn FnMut(&Memory, &str)>;

    /// Entries in memory, refusing values over `limit` UTF-16 units as Credential Manager
    /// does; `on_read` runs before every read (a writer racing the reader).
    #[derive(Default)]
    struct Memory {
        map: RefCell<BTreeMap<String, String>>,
        limit: usize,
        on_read: RefCell<Option<Hook>>,
    }

    impl Entries for Memory {
        fn read(&self, user: &str) -> Result<Option<Zeroizing<String>>> {
            // Taken out while it runs: the reads of a write it makes do not run it again.
            let hook = self.on_read.borrow_mut().take();
            if let Some(mut hook) = hook {
                hook(self, user);
                *self.on_read.borrow_mut() = Some(hook);
            }
            Ok(self.map.borrow().get(user).cloned().map(Zeroizing::new))
        }
        fn write(&self, user: &str, value: &str) -> Result<()> {
            if value.encode_utf16().count() > self.limit {
                return Err(Error::Keychain(format!(
                    "Value of 'password encoded as UTF-16' is longer than the platform limit of {} chars",
                    self.limit * 2
                )));
            }
            self.map
                .borrow_mut()
                .insert(user.to_owned(), value.to_owned());
            Ok(())
        }
        fn remove(&self, user: &str) -> Result<()> {
            self.map.borrow_mut().remove(user);
            Ok(())
        }
    }

    fn memory() -> Memory {
        Memory {
            limit: 1280,
            ..Memory::default()
        }
    }

    #[test]
    fn a_long_secret_is_kept_in_parts_and_read_back_whole_and_a_short_one_stays_plain() {
        let entries = memory();
        // 4 KB of ASCII, and characters outside the BMP (two UTF-16 units each) at the cuts.
        let long = format!("{}{}", "a".repeat(4000), "😀".repeat(700));
        write(&entries, "id/access", &long, Some(1280)).unwrap();
        assert_eq!(read(&entries, "id/access").unwrap().unwrap().as_str(), long);
        let main = entries.map.borrow()["id/access"].clone();
        assert!(main.starts_with(MARK), "{main}");
        let parts = entries.map.borrow().len() - 1;
        assert_eq!(parts, long.encode_utf16().count().div_ceil(1280));
        // Replaced by a short one: one plain entry, the old parts gone.
        write(&entries, "id/access", "short", Some(1280)).unwrap();
        assert_eq!(entries.map.borrow().len(), 1);
        assert_eq!(
            read(&entries, "id/access").unwrap().unwrap().as_str(),
            "short"
        );
        // Removed: nothing left.
        write(&entries, "id/access", &long, Some(1280)).unwrap();
        remove(&entries, "id/access").unwrap();
        assert!(entries.map.borrow().is_empty());
        assert!(read(&entries, "id/access").unwrap().is_none());
    }

    #[test]
    fn a_secret_that_looks_like_a_manifest_is_stored_as_parts_and_read_back_as_itself() {
        let entries = memory();
        let tricky = format!("{MARK}1:1:0000000000000000");
        write(&entries, "u", &tricky, Some(1280)).unwrap();
        assert_eq!(read(&entries, "u").unwrap().unwrap().as_str(), tricky);
        // Without a limit (Secret Service, Keychain) values are plain.
        write(&entries, "v", "x", None).unwrap();
        assert_eq!(entries.map.borrow()["v"], "x");
    }

    #[test]
    fn a_reader_racing_a_writer_gets_the_old_secret_or_the_new_never_a_mix() {
        let entries = memory();
        let (old, new) = ("o".repeat(3000), "n".repeat(3000));
        write(&entries, "u", &old, Some(1280)).unwrap();
        // Just after the reader took the manifest, a writer replaces the secret (new parts,
        // manifest swapped, old parts deleted).
        let raced = RefCell::new(false);
        let new_for_hook = new.clone();
        *entries.on_read.borrow_mut() = Some(Box::new(move |e: &Memory, user: &str| {
            if user.contains('#') && !*raced.borrow() {
                *raced.borrow_mut() = true;
                write(e, "u", &new_for_hook, Some(1280)).unwrap();
            }
        }));
        let got = read(&entries, "u").unwrap().unwrap();
        assert_eq!(
            got.as_str(),
            new,
            "the reader started over on the new manifest"
        );
    }

    #[test]
    fn parts_that_do_not_fit_together_are_an_error_not_a_wrong_secret() {
        let entries = memory();
        write(&entries, "u", &"a".repeat(3000), Some(1280)).unwrap();
        let part = entries
            .map
            .borrow()
            .keys()
            .find(|k| k.contains('#'))
            .cloned()
            .unwrap();
        entries.map.borrow_mut().insert(part, "b".repeat(1280));
        let err = read(&entries, "u").unwrap_err();
        assert!(err.to_string().contains("log in again"), "{err}");
    }

    #[test]
    fn a_failed_part_write_leaves_the_old_secret_and_no_new_parts() {
        let entries = Memory {
            limit: 1280,
            ..Memory::default()
        };
        write(&entries, "u", "old", Some(1280)).unwrap();
        // Parts of 1,300 units do not fit the store's 1,280: the first part write fails.
        let err = write(&entries, "u", &"x".repeat(3000), Some(1300)).unwrap_err();
        assert!(err.to_string().contains("platform limit"), "{err}");
        assert_eq!(read(&entries, "u").unwrap().unwrap().as_str(), "old");
        assert_eq!(entries.map.borrow().len(), 1);
    }
}
