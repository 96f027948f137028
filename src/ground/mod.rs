//! The ground: what every other layer stands on and which knows nothing of a
//! reply. Problems and the language they are told in, decoding a user's
//! bytes, URLs and slugs, YAML errors, the privacy lint, reading HTML, the
//! site folder's own files, hashing, one output file and where it goes, and
//! the files a build keeps on disk for later (spills and shelves).

pub(crate) mod hashing;
pub(crate) mod html;
pub(crate) mod lang;
pub(crate) mod page;
pub(crate) mod privacy;
pub(crate) mod problem;
pub(crate) mod shelf;
pub(crate) mod site_folder;
pub(crate) mod spill;
pub(crate) mod text;
pub(crate) mod timings;
pub(crate) mod url;
pub(crate) mod yaml;
