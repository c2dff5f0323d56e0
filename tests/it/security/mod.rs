//! Attacks from the security review, replayed: each must be refused.

mod holds;
mod logins;
mod privileges;
mod ssrf;
