//! The model: a site as its files say it is. The settings, the working-day
//! calendar, a reply's body and the reply itself, finding them under
//! `content/`, the proposals they answer, the archive of every published
//! reply with its facets, and its numbers. Nothing here renders or writes.
//!
//! One way within the layer too: `archive` over `proposal` over `reply` over
//! `body` over `markdown` over `config`.

pub(crate) mod archive;
pub(crate) mod body;
pub(crate) mod config;
pub(crate) mod content;
pub(crate) mod markdown;
pub(crate) mod proposal;
pub(crate) mod reply;
pub(crate) mod stats;
pub(crate) mod workdays;
