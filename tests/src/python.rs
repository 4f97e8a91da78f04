//! Python projects for the pip provider's end-to-end tests: real wheels
//! built here (no build backend, no network), and the real `uv` / `poetry`
//! programs found on the machine. A missing tool skips a test only outside
//! CI; with `CI=true` it fails it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds a `py3-none-any` wheel for each (name, version) into `dir`: a
/// module `{dist}_fixture` whose `__version__` is the version, METADATA,
/// WHEEL and RECORD, as a build backend writes them.
pub fn build_wheels(dir: &Path, dists: &[(&str, &str)]) {
    let script = r#"
import sys, zipfile, hashlib, base64, os
out = sys.argv[1]
for spec in sys.argv[2:]:
    name, version = spec.split("==")
    dist = name.replace("-", "_").replace(".", "_")
    files = {
        f"{dist}_fixture/__init__.py": f"__version__ = '{version}'\n",
        f"{dist}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: fixture\n",
        f"{dist}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: steward-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = f"{dist}-{version}.dist-info/RECORD"
    lines = []
    with zipfile.ZipFile(os.path.join(out, f"{dist}-{version}-py3-none-any.whl"), "w") as z:
        for arc, text in files.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            lines.append(f"{arc},sha256={digest},{len(data)}")
            z.writestr(arc, data)
        lines.append(f"{record},,")
        z.writestr(record, "\n".join(lines) + "\n")
"#;
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script).arg(dir);
    for (name, version) in dists {
        cmd.arg(format!("{name}=={version}"));
    }
    let out = cmd.output().expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The absolute path of `tool` (`uv`, `poetry`): on `PATH`, or where
/// `pip install --user` puts it. `None` (with a message saying the test is
/// skipped) when it is missing outside CI; a panic when it is missing in CI.
pub fn tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/bin"));
    }
    if let Some(found) = dirs.iter().map(|d| d.join(name)).find(|p| p.is_file()) {
        return Some(found);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "{name} is not installed, and CI must run this test: install it with `python3 -m pip install --user {name}` (.ci/run does)"
    );
    eprintln!("skipped: {name} is not installed (python3 -m pip install --user {name})");
    None
}

/// Runs `program args` in `dir` and returns stdout; the test fails with
/// both streams when it fails.
pub fn run_in(dir: &Path, program: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("POETRY_VIRTUALENVS_IN_PROJECT", "true")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The version `lockfile` (uv.lock or poetry.lock) records for `name`:
/// both write `version` on the line after a package's `name`.
pub fn locked_version(lockfile: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(lockfile).ok()?;
    let mut lines = text.lines();
    lines.find(|l| l.trim() == format!("name = \"{name}\""))?;
    let version = lines.next()?.trim().strip_prefix("version = \"")?;
    Some(version.trim_end_matches('"').to_string())
}

/// The version of `name`'s fixture module the venv at `<bot>/.venv` imports.
pub fn imported_version(bot: &Path, name: &str) -> String {
    let out = Command::new(bot.join(".venv/bin/python"))
        .arg("-c")
        .arg(format!(
            "import {}_fixture as m; print(m.__version__)",
            name.replace('-', "_")
        ))
        .output()
        .expect("the venv's python");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
