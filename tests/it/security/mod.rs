//! Attacks from the security review, replayed: each must be refused.

mod privileges;
mod ssrf;
