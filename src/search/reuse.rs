//! Keeping the index of the build before last when nothing it is made of
//! has changed: after an edit to a template, the settings or a draft, or a
//! scheduled rebuild, the index is most of a build's work and all of it
//! would come out the same.
//!
//! Each reply's part of the index is a function of its indexed fields, its
//! URL, its id and dafu itself: 64 bits of those are its identity, and a
//! fingerprint of every identity in order, kept in `index.json`, tells
//! whether the index files already in the folder being overwritten are
//! exactly those this build would write. Which files those are, and that
//! each is still as it was left, the folder's digests say (see `digest`):
//! no reply's text is read to find out. `index.json` is removed before any
//! other index file is written and written after all of them, so a build
//! that fails half-way leaves no fingerprint, and the next build makes the
//! index again.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;

use super::{Corpus, FORMAT, Indexed, docs, shards};
use crate::store::digest::{Made, Previous};
use rust_i18n::t;

/// The manifest's path, relative to the site root.
pub(super) const MANIFEST: &str = "search/index.json";

/// Each reply's identity, by id: 64 bits of its indexed fields and URL (its
/// body by what the body is made of: see `Corpus::identity`), the index
/// format and this dafu executable (its version, size and time, so that a
/// rebuilt dafu never keeps what an older one made).
pub(super) fn identities(docs: &(impl Corpus + ?Sized)) -> Vec<u64> {
    let mut maker = DefaultHasher::new();
    (FORMAT, crate::ground::hashing::executable()).hash(&mut maker);
    let maker = maker.finish();
    (0..docs.count())
        .into_par_iter()
        .map(|id| {
            let mut h = DefaultHasher::new();
            maker.hash(&mut h);
            docs.identity(id, &mut h);
            h.finish()
        })
        .collect()
}

/// 128 bits, in hex, of every reply's identity in order: of everything the
/// index is made from.
pub(super) fn fingerprint(identities: &[u64]) -> String {
    let [a, b] = [0u8, 1].map(|seed| {
        let mut h = DefaultHasher::new();
        (seed, identities).hash(&mut h);
        h.finish()
    });
    format!("{a:016x}{b:016x}")
}

/// The manifest in `folder`, if it can be read.
pub(super) fn manifest(folder: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&fs::read(folder.join(MANIFEST)).ok()?).ok()
}

/// The index in the folder `previous` holds, if it was made from exactly
/// what `fingerprint` is and every one of its files is as the build that
/// made it left it.
pub(super) fn kept(previous: &Previous, fingerprint: &str, identities: &[u64]) -> Option<Indexed> {
    let manifest = manifest(previous.folder)?;
    if manifest["source"].as_str() != Some(fingerprint) {
        return None;
    }
    let shards = usize::try_from(manifest["shards"].as_u64()?).ok()?;
    let packs = shards >> shards::pack_bits(shards.trailing_zeros());
    let mut files = recorded(previous)?;
    // Each reply's data files made of that reply as it is now, and every
    // reply with its data file.
    let mut has_data = vec![false; identities.len()];
    for (path, digest) in &files {
        if let Some(id) = docs::doc_of(path) {
            if identities.get(id) != Some(digest) {
                return None;
            }
            has_data[id] = true;
        }
    }
    if !(shards::all_present(&files, packs) && has_data.iter().all(|&has| has)) {
        return None;
    }
    files.push((MANIFEST.to_string(), previous.intact(MANIFEST)?));
    let mut made: Vec<Made> = files
        .into_iter()
        .map(|(path, digest)| Made::kept(path, digest))
        .collect();
    made.sort();
    Some(Indexed { made, changed: 0 })
}

/// Every index file but the manifest that the folder's digests record,
/// sorted, with the digest each was made with, if each is as it was left.
pub(super) fn recorded(previous: &Previous) -> Option<Vec<(String, u64)>> {
    let files: Vec<(String, u64)> = previous
        .digests
        .under("search/")
        .filter(|(path, _)| super::is_index_file(path) && *path != MANIFEST)
        .map(|(path, digest)| (path.to_string(), digest))
        .collect();
    previous.all_intact(&files).then_some(files)
}

/// Removes the manifest from `folder` before index files are written there.
pub(super) fn forget(folder: &Path) -> anyhow::Result<()> {
    let path = folder.join(MANIFEST);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| t!("file.cannot_remove", path = path.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Field, SearchDoc, build_index};
    use super::*;
    use crate::store::digest::Digests;

    fn doc<'a>(title: &'a str, body: &'a str) -> SearchDoc<'a> {
        SearchDoc {
            fields: vec![Field::new("提案人", "周国平")],
            ..SearchDoc::sample("/a/", title, body)
        }
    }

    fn fp(docs: &[SearchDoc]) -> String {
        fingerprint(&identities(docs))
    }

    /// Builds the index of `docs` into `folder/public` as the build writes
    /// it, digests and all, and returns its files.
    fn write(folder: &Path, docs: &[SearchDoc]) -> Vec<String> {
        let public = folder.join("public");
        let ids = identities(docs);
        let written = build_index(docs, &ids, &fp(docs), folder, &|path, bytes| {
            let path = public.join(path);
            fs::create_dir_all(path.parent().unwrap())?;
            fs::write(path, bytes)?;
            Ok(true)
        })
        .unwrap();
        Digests::default()
            .write(&public, &public, folder, &written.made, &Default::default())
            .unwrap();
        written.made.into_iter().map(|made| made.path).collect()
    }

    fn kept_in(folder: &Path, docs: &[SearchDoc]) -> Option<Vec<String>> {
        let public = folder.join("public");
        let previous = Previous {
            folder: &public,
            digests: Digests::take(&public, folder).unwrap(),
        };
        let written = kept(&previous, &fp(docs), &identities(docs))?;
        Some(written.made.into_iter().map(|made| made.path).collect())
    }

    #[test]
    fn an_index_is_kept_only_when_made_of_the_same_replies_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let long = "稳岗返还".repeat(600);
        let docs = vec![doc("关于稳岗返还的答复", &long), doc("答复", "中小企业")];
        let paths = write(dir.path(), &docs);
        assert!(paths.iter().any(|p| p == "search/d/0/1.bin"));
        assert_eq!(kept_in(dir.path(), &docs), Some(paths.clone()));

        write(dir.path(), &docs);
        let edited = vec![doc("关于稳岗返还的答复", &long), doc("答复", "中小企")];
        assert_ne!(fp(&edited), fp(&docs));
        assert_eq!(kept_in(dir.path(), &edited), None);

        write(dir.path(), &docs);
        fs::remove_file(dir.path().join("public/search/d/0/0.bin")).unwrap();
        assert_eq!(kept_in(dir.path(), &docs), None);

        write(dir.path(), &docs);
        forget(&dir.path().join("public")).unwrap();
        assert_eq!(kept_in(dir.path(), &docs), None);
        forget(&dir.path().join("public")).unwrap();
    }

    #[test]
    fn moving_text_between_fields_changes_the_fingerprint() {
        let a = [doc("稳岗", "返还")];
        let b = [doc("稳岗返", "还")];
        assert_ne!(fp(&a), fp(&b));
        assert_eq!(fp(&a), fp(&[doc("稳岗", "返还")]));
    }
}
