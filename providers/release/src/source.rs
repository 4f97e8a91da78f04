//! Parsers for the three places available versions come from: a release
//! manifest, the GitHub releases API, `git ls-remote --tags`. Each turns raw
//! bytes into a `Catalog`; none of them fetches anything.

pub mod git;
pub mod github;
pub mod manifest;
