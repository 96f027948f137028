//! The build's stages: from the model to the bytes of each file. The theme's
//! templates and static files, the plan and rendering of every templated
//! page, where the sitemap breaks into files, the open data files, and the
//! check of every internal link.

pub(crate) mod data;
pub(crate) mod links;
pub(crate) mod render;
pub(crate) mod sitemap;
pub(crate) mod theme;
