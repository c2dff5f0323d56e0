//! Reading variables: trimmed values, parsing with a message that names the variable, flags and
//! ranges.

use std::collections::HashMap;
use std::str::FromStr;

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {var}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub var: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// The variables configuration is read from, with the readers every value goes through.
pub(super) struct Env<'a>(pub(super) &'a HashMap<String, String>);

impl Env<'_> {
    /// A variable's value, trimmed; `None` when unset or blank.
    pub(super) fn get(&self, var: &str) -> Option<String> {
        self.0.get(var).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// An error naming `var`.
    pub(super) fn error(&self, var: &'static str, message: String) -> ConfigError {
        ConfigError { var, message }
    }

    /// A parsed value, or `default` when unset.
    pub(super) fn parse<T: FromStr>(&self, var: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(var) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|e| self.error(var, format!("`{raw}` is invalid: {e}"))),
        }
    }

    /// A boolean: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`; false when unset.
    pub(super) fn flag(&self, var: &'static str) -> Result<bool, ConfigError> {
        match self.get(var).map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("false" | "0" | "no" | "off") => Ok(false),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some(other) => Err(self.error(var, format!("`{other}` is not true or false"))),
        }
    }

    /// A parsed value (or `default`) that must lie in `min..=max`.
    pub(super) fn ranged<T>(&self, var: &'static str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
        T::Err: std::fmt::Display,
    {
        let value = self.parse(var, default)?;
        if value < min || value > max {
            return Err(self.error(var, format!("{value} is outside {min}..={max}")));
        }
        Ok(value)
    }
}
