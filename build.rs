//! The default theme, the example reply and config.yaml are compiled into the
//! binary (`include_dir!`, `include_str!`); cargo does not see a file added to
//! the theme folder unless told to watch it.

fn main() {
    for path in ["themes/default", "content/2021/ta-0152.md", "config.yaml"] {
        println!("cargo:rerun-if-changed={path}");
    }
}
