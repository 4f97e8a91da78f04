//! Test support for Steward's end-to-end tests: run the real `steward`
//! binary against a bot tree and a config the test writes, build guest
//! providers from source, and (in `fakes`) local stand-ins for the servers
//! Steward talks to.

pub mod etcd;
pub mod fakes;
pub mod guests;
pub mod harness;
pub mod node;
pub mod python;
pub mod release_bot;
pub mod restic_rest;
pub mod s3;
pub mod serve;
pub mod sshd;
