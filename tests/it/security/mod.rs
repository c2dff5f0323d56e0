//! Attacks from the security review, replayed: each must be refused.

mod logins;
mod privileges;
mod ssrf;
