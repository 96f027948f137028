//! Keeping the index of the build before last when nothing it is made of
//! has changed: after an edit to a template, the settings or a draft, or a
//! scheduled rebuild, the index is most of a build's work and all of it
//! would come out the same.
//!
//! The index is a function of the published replies' indexed fields and
//! URLs and of dafu itself, so a fingerprint of those, kept in
//! `index.json`, tells whether the index files already in the folder being
//! overwritten are exactly those this build would write. `index.json` is
//! removed before any other index file is written and written after all of
//! them, so a build that fails half-way leaves no fingerprint, and the next
//! build makes the index afresh.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;

use super::{Corpus, FORMAT, docs, shards};

/// The manifest's path, relative to the site root.
pub const MANIFEST: &str = "search/index.json";

/// 128 bits, in hex, of everything the index is made from: each reply's
/// indexed fields and URL in order (its body by what the body is made of:
/// see `Corpus::identity`), the index format, and this dafu
/// executable (its version, and its size and time, so that a rebuilt dafu
/// never keeps an index an older one made).
pub fn fingerprint(docs: &(impl Corpus + ?Sized)) -> String {
    let per_doc: Vec<[u64; 2]> = (0..docs.count())
        .into_par_iter()
        .map(|id| {
            seeds().map(|seed| {
                let mut h = DefaultHasher::new();
                seed.hash(&mut h);
                docs.identity(id, &mut h);
                h.finish()
            })
        })
        .collect();
    let [a, b] = seeds().map(|seed| {
        let mut h = DefaultHasher::new();
        seed.hash(&mut h);
        (FORMAT, crate::digest::executable()).hash(&mut h);
        per_doc.hash(&mut h);
        h.finish()
    });
    format!("{a:016x}{b:016x}")
}

/// Two hashers apart, for 128 bits.
fn seeds() -> [u8; 2] {
    [0, 1]
}

/// The paths of the index in `folder`, if it was made from exactly what
/// `fingerprint` is and every one of its files is there.
pub fn kept(
    folder: &Path,
    fingerprint: &str,
    docs: &(impl Corpus + ?Sized),
) -> anyhow::Result<Option<Vec<String>>> {
    let manifest: Option<serde_json::Value> = fs::read(folder.join(MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let shards = manifest
        .filter(|manifest| manifest["source"].as_str() == Some(fingerprint))
        .and_then(|manifest| manifest["shards"].as_u64())
        .and_then(|shards| usize::try_from(shards).ok());
    let Some(shards) = shards else {
        return Ok(None);
    };
    let digits = shards::hex_digits(shards);
    let mut paths: Vec<String> = [MANIFEST.to_string(), "search/facets.bin".to_string()]
        .into_iter()
        .chain((0..shards).flat_map(|shard| shards::names(shard, digits)))
        .chain(docs::doc_file_names(docs)?)
        .collect();
    let all_there = paths
        .par_iter()
        .all(|path| fs::metadata(folder.join(path)).is_ok_and(|m| m.is_file()));
    paths.sort_unstable();
    Ok(all_there.then_some(paths))
}

/// Removes the manifest from `folder` before index files are written there.
pub fn forget(folder: &Path) -> anyhow::Result<()> {
    let path = folder.join(MANIFEST);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SearchDoc, build_index};
    use super::*;

    fn doc<'a>(title: &'a str, body: &'a str) -> SearchDoc<'a> {
        SearchDoc {
            url: "/a/",
            title,
            doc_number: None,
            department: "局",
            date: "2021",
            year: 2021,
            fields: vec!["周国平"],
            body,
        }
    }

    fn fp(docs: &[SearchDoc]) -> String {
        fingerprint(docs)
    }

    fn kept_in(folder: &Path, docs: &[SearchDoc]) -> Option<Vec<String>> {
        kept(folder, &fp(docs), docs).unwrap()
    }

    /// Builds the index of `docs` into `folder` as the build writes it.
    fn write(folder: &Path, docs: &[SearchDoc]) -> Vec<String> {
        let source = fp(docs);
        let written = build_index(docs, &source, folder, &|path, bytes| {
            let path = folder.join(path);
            fs::create_dir_all(path.parent().unwrap())?;
            fs::write(path, bytes)?;
            Ok(true)
        })
        .unwrap();
        written.paths
    }

    #[test]
    fn an_index_is_kept_only_when_made_of_the_same_replies_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let long = "稳岗返还".repeat(600);
        let docs = vec![doc("关于稳岗返还的答复", &long), doc("答复", "中小企业")];
        let paths = write(dir.path(), &docs);
        assert!(paths.iter().any(|p| p.ends_with("-1.txt")));
        assert_eq!(kept_in(dir.path(), &docs), Some(paths));

        let edited = vec![doc("关于稳岗返还的答复", &long), doc("答复", "中小企")];
        assert_ne!(fp(&edited), fp(&docs));
        assert_eq!(kept_in(dir.path(), &edited), None);

        fs::remove_file(dir.path().join("search/d/0/0-1.txt")).unwrap();
        assert_eq!(kept_in(dir.path(), &docs), None);

        write(dir.path(), &docs);
        forget(dir.path()).unwrap();
        assert_eq!(kept_in(dir.path(), &docs), None);
        forget(dir.path()).unwrap();
    }

    #[test]
    fn moving_text_between_fields_changes_the_fingerprint() {
        let a = [doc("稳岗", "返还")];
        let b = [doc("稳岗返", "还")];
        assert_ne!(fp(&a), fp(&b));
        assert_eq!(fp(&a), fp(&[doc("稳岗", "返还")]));
    }
}
