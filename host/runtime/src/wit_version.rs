//! Which contract version a provider was built against, read from the
//! `steward:wit-version` custom section the SDK embeds (or, failing that,
//! from the versioned names it imports) before anything is compiled.

/// The section the SDK writes.
pub const SECTION: &str = "steward:wit-version";
const PACKAGE: &str = "steward:provider/";

/// The contract version of `wasm`, if it says; an error when `wasm` cannot
/// be parsed at all.
pub fn read(wasm: &[u8]) -> Result<Option<String>, wasmparser::BinaryReaderError> {
    let mut from_imports = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload? {
            wasmparser::Payload::CustomSection(section) if section.name() == SECTION => {
                return Ok(std::str::from_utf8(section.data())
                    .ok()
                    .map(|s| s.trim_matches(char::from(0)).trim().to_string()));
            }
            wasmparser::Payload::ComponentImportSection(imports) if from_imports.is_none() => {
                for import in imports.into_iter().flatten() {
                    let name = import.name.0;
                    if let Some(rest) = name.strip_prefix(PACKAGE)
                        && let Some((_, version)) = rest.split_once('@')
                    {
                        from_imports = Some(version.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(from_imports)
}
