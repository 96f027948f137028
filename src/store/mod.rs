//! The store: where a build's files go and what is kept of them. The output
//! folder replaced whole, one build at a time (`output`), the cache beside it
//! (`cache`), and what each file was made of, so the next build can leave it
//! alone (`digest`).

pub(crate) mod cache;
pub(crate) mod digest;
pub(crate) mod output;
