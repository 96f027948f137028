//! How the sitemap fits the protocol's limits: one file of every URL while
//! they fit in one, else numbered files of URLs (`sitemap-1.xml`, …) named
//! by an index at `/sitemap.xml`, where robots.txt and the search engines'
//! webmaster tools already point. Which URLs the sitemap lists and how each
//! file reads are the renderer's and the theme's (`sitemap.xml`,
//! `sitemap_index.xml`); this decides only where the list breaks.

use std::ops::Range;

/// What one sitemap file may hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// URLs in one file.
    pub urls: usize,
    /// Bytes of one file, uncompressed.
    pub bytes: usize,
}

/// The sitemap protocol's limits (sitemaps.org): 50,000 URLs and 50 MB
/// (52,428,800 bytes) uncompressed a file; search engines refuse a file
/// over either.
pub(crate) const LIMITS: Limits = Limits {
    urls: 50_000,
    bytes: 52_428_800,
};

/// Bytes a theme's `sitemap.xml` may spend on one URL besides its address
/// and date, the sizes counted before anything is rendered: the default
/// theme spends 42 (`<url><loc></loc><lastmod></lastmod></url>` and a line
/// break), a `<changefreq>` and a `<priority>` another 55.
const URL_MARKUP: usize = 200;

/// Bytes a file may spend before its first URL and after its last: the XML
/// declaration and the `<urlset>` tags, 112 in the default theme.
const FILE_MARKUP: usize = 1_000;

/// What one URL may add to a sitemap file: its address (`loc`, as written)
/// and its date, with the markup a template puts around them.
pub(crate) fn url_bytes(loc: &str, lastmod: Option<&str>) -> usize {
    loc.len() + lastmod.map_or(0, str::len) + URL_MARKUP
}

/// The sitemap's files as ranges of its URLs, in order, given what each
/// URL adds to a file (`url_bytes`): each file takes URLs until one more
/// would pass `limits`. One range (maybe empty) when every URL fits in one
/// file. The same URLs always break in the same places, so a build is
/// reproducible.
pub(crate) fn files(sizes: impl IntoIterator<Item = usize>, limits: Limits) -> Vec<Range<usize>> {
    let room = limits.bytes.saturating_sub(FILE_MARKUP);
    let mut files = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    let mut end = 0;
    for size in sizes {
        let full = end - start == limits.urls || bytes + size > room;
        // A URL bigger than a file's room still goes in a file, alone,
        // rather than in none.
        if full && end > start {
            files.push(start..end);
            (start, bytes) = (end, 0);
        }
        bytes += size;
        end += 1;
    }
    files.push(start..end);
    files
}

/// The site path of the numbered file `number` (from 1) of a sitemap in
/// many files.
pub(crate) fn file_path(number: usize) -> String {
    format!("sitemap-{number}.xml")
}

#[cfg(test)]
mod tests {
    use std::iter::repeat_n;

    use super::*;

    const FEW: Limits = Limits {
        urls: 3,
        bytes: 1_000_000,
    };

    #[test]
    fn urls_that_fit_stay_in_one_file() {
        assert_eq!(files([100; 3], FEW), vec![0..3]);
        assert_eq!(files([], FEW), vec![0..0]);
        assert_eq!(files(repeat_n(100, 50_000), LIMITS), vec![0..50_000]);
    }

    #[test]
    fn one_url_too_many_starts_a_second_file() {
        assert_eq!(files([100; 4], FEW), vec![0..3, 3..4]);
        assert_eq!(files([100; 7], FEW), vec![0..3, 3..6, 6..7]);
        assert_eq!(
            files(repeat_n(100, 100_001), LIMITS),
            vec![0..50_000, 50_000..100_000, 100_000..100_001]
        );
    }

    #[test]
    fn a_file_breaks_before_its_bytes_pass_the_limit() {
        let small = Limits {
            urls: 100,
            bytes: FILE_MARKUP + 250,
        };
        assert_eq!(files([100, 100, 50, 1], small), vec![0..3, 3..4]);
        assert_eq!(files([100, 100, 51, 1], small), vec![0..2, 2..4]);
        // 2,000-byte addresses: 50,000 of them would be 110 MB.
        let long = url_bytes(&"x".repeat(2_000), Some("2021-06-12"));
        let split = files(repeat_n(long, 50_000), LIMITS);
        assert_eq!(split.len(), 3);
        assert!(
            split
                .iter()
                .all(|file| file.len() * long + FILE_MARKUP <= LIMITS.bytes)
        );
        assert_eq!(split.last().map(|file| file.end), Some(50_000));
    }

    #[test]
    fn a_url_longer_than_a_file_allows_is_listed_alone() {
        let small = Limits {
            urls: 100,
            bytes: FILE_MARKUP + 250,
        };
        assert_eq!(files([100, 300, 100], small), vec![0..1, 1..2, 2..3]);
    }
}
