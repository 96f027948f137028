//! Hashing what a file is made of: a hasher that takes template data as
//! well as bytes, and the identity of this dafu executable, which is part
//! of everything a build keeps for the next one (pages' digests, shelved
//! bodies, the search index), so that a rebuilt dafu never keeps what an
//! older one made.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher as _};
use std::io;
use std::time::UNIX_EPOCH;

use serde::Serialize;

/// A hasher that also takes anything serde can serialise.
#[derive(Default)]
pub(crate) struct Hasher(DefaultHasher);

impl Hasher {
    pub(crate) fn serialized(&mut self, value: &impl Serialize) {
        // Template data (strings, numbers, lists) serialises; if some day it
        // did not, the rest of it would go unhashed, so the digest is made
        // one that matches nothing, and the page is made again.
        if serde_json::to_writer(&mut *self, value).is_err() {
            unique().hash(self);
        }
    }
}

impl std::hash::Hasher for Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

impl io::Write for Hasher {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// This dafu executable: its version, and its size and time, so that a
/// rebuilt dafu never keeps what an older one made. Where it cannot be
/// told (no `/proc` in a bare container, say), a number never drawn
/// before: nothing made before is kept.
pub(crate) fn executable() -> (&'static str, u64, u128) {
    let identity = std::env::current_exe()
        .and_then(fs::metadata)
        .and_then(|m| Ok((m.len(), m.modified()?.duration_since(UNIX_EPOCH).ok())));
    match identity {
        Ok((len, Some(time))) => (env!("CARGO_PKG_VERSION"), len, time.as_nanos()),
        _ => (env!("CARGO_PKG_VERSION"), unique(), 0),
    }
}

/// A number no other run is likely to draw.
fn unique() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(std::process::id())
}
