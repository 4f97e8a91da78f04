//! Local stand-ins for the servers Steward talks to, bound to 127.0.0.1:0
//! and serving only what a test sets up; none of them ever reaches the
//! network.

pub mod discord;
