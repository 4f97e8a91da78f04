//! The dpkg status database (`/var/lib/dpkg/status`): which packages are
//! installed, at which version, and which are on hold. Parsing only; the
//! file is read through the provider's read-only grant.

use serde::{Deserialize, Serialize};

/// One installed package instance (a package can be installed for several
/// architectures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installed {
    pub package: String,
    pub arch: String,
    pub version: String,
    /// `apt-mark hold`: dpkg's selection is `hold`.
    #[serde(default)]
    pub held: bool,
}

/// Every installed package, as dpkg records it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub packages: Vec<Installed>,
}

impl Status {
    /// Parses the status file. Stanzas that are not installed (removed with
    /// config files left, half-configured…) are left out; so are stanzas
    /// without a package name or version, which dpkg never writes.
    pub fn parse(text: &str) -> Self {
        let mut packages = Vec::new();
        for stanza in text.split("\n\n") {
            let field = |name: &str| {
                stanza.lines().find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    // Continuation lines start with whitespace; they are never keys.
                    (!line.starts_with([' ', '\t']) && key.eq_ignore_ascii_case(name))
                        .then(|| value.trim())
                })
            };
            let (Some(package), Some(status), Some(version)) =
                (field("Package"), field("Status"), field("Version"))
            else {
                continue;
            };
            let words: Vec<&str> = status.split_whitespace().collect();
            let held = match words.as_slice() {
                ["install", "ok", "installed"] => false,
                ["hold", "ok", "installed"] => true,
                _ => continue,
            };
            packages.push(Installed {
                package: package.to_string(),
                arch: field("Architecture").unwrap_or("all").to_string(),
                version: version.to_string(),
                held,
            });
        }
        Status { packages }
    }

    /// The instances of `package` (any architecture).
    pub fn instances(&self, package: &str) -> Vec<&Installed> {
        self.packages
            .iter()
            .filter(|p| p.package == package)
            .collect()
    }

    /// The installed instance apt means by `name` (`pkg` or `pkg:arch`) with
    /// a version for architecture `arch_hint`, if known.
    pub fn find(&self, name: &str, arch_hint: Option<&str>) -> Option<&Installed> {
        let (package, arch) = match name.split_once(':') {
            Some((package, arch)) => (package, Some(arch)),
            None => (package_only(name), None),
        };
        let mut instances = self.instances(package);
        if let Some(arch) = arch.or(arch_hint)
            && let Some(hit) = instances.iter().find(|p| p.arch == arch)
        {
            return Some(hit);
        }
        // One instance needs no architecture to be told apart.
        (instances.len() == 1).then(|| instances.remove(0))
    }

    /// The name apt-get understands for `installed`: the bare package name
    /// when only one architecture is installed, else `package:arch`.
    pub fn apt_name(&self, installed: &Installed) -> String {
        if installed.arch == "all" || self.instances(&installed.package).len() == 1 {
            installed.package.clone()
        } else {
            format!("{}:{}", installed.package, installed.arch)
        }
    }
}

fn package_only(name: &str) -> &str {
    name.split(':').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "\
Package: openssl
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 3.0.14-1~deb12u2
Description: Secure Sockets Layer toolkit
 This package contains the openssl binary.
 Version: 9.9 is not a field here

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u4

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Version: 2.36-9+deb12u4

Package: nginx
Status: hold ok installed
Architecture: amd64
Version: 1.22.1-9

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: broken
Status: install ok half-configured
Architecture: amd64
Version: 2.0-1
";

    #[test]
    fn dpkg_status_lists_only_installed_packages_with_their_versions() {
        let status = Status::parse(STATUS);
        let names: Vec<(&str, &str, &str)> = status
            .packages
            .iter()
            .map(|p| (p.package.as_str(), p.arch.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("openssl", "amd64", "3.0.14-1~deb12u2"),
                ("libc6", "amd64", "2.36-9+deb12u4"),
                ("libc6", "i386", "2.36-9+deb12u4"),
                ("nginx", "amd64", "1.22.1-9"),
            ]
        );
    }

    #[test]
    fn dpkg_hold_marks_the_package_held() {
        let status = Status::parse(STATUS);
        assert!(status.find("nginx", None).unwrap().held);
        assert!(!status.find("openssl", None).unwrap().held);
    }

    #[test]
    fn multiarch_instances_are_told_apart_by_architecture() {
        let status = Status::parse(STATUS);
        assert_eq!(status.find("libc6:i386", None).unwrap().arch, "i386");
        assert_eq!(status.find("libc6", Some("amd64")).unwrap().arch, "amd64");
        assert_eq!(status.find("libc6", None), None);
        let i386 = status.find("libc6:i386", None).unwrap();
        assert_eq!(status.apt_name(i386), "libc6:i386");
        let openssl = status.find("openssl", None).unwrap();
        assert_eq!(status.apt_name(openssl), "openssl");
    }
}
