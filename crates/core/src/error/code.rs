//! Problem codes as declarations: each crate declares the codes it answers once, in its
//! `problems` module, with their HTTP status and meaning. [`super::Error`] takes a declaration,
//! never a string, so a code that is answered is always declared; the gateway publishes the
//! concatenation of every crate's list in the OpenAPI document.

use serde::Serialize;
use utoipa::ToSchema;

/// A declared problem code: the stable string a client matches on, the status it comes with and
/// what it means. Declared with [`crate::error_codes!`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode {
    code: &'static str,
    status: u16,
    meaning: &'static str,
}

impl ErrorCode {
    /// Declares a code; use [`crate::error_codes!`], which also lists it in its crate's `ALL`.
    #[doc(hidden)]
    pub const fn declare(code: &'static str, status: u16, meaning: &'static str) -> Self {
        Self { code, status, meaning }
    }

    /// The code, such as `cart_empty`.
    pub const fn code(&self) -> &'static str {
        self.code
    }

    /// The HTTP status every answer with this code has.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// What the code means, in one sentence.
    pub fn meaning(&self) -> &'static str {
        self.meaning.trim()
    }

    /// The catalog entry for this code.
    pub fn describe(&self) -> ErrorCodeEntry {
        ErrorCodeEntry { code: self.code, status: self.status, meaning: self.meaning() }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

/// One entry of the problem-code catalog, as the OpenAPI document lists it (`x-error-codes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorCodeEntry {
    /// The code, as in a problem's `code`.
    pub code: &'static str,
    /// The HTTP status it comes with.
    pub status: u16,
    /// What it means.
    pub meaning: &'static str,
}

/// Declares a crate's problem codes as constants and lists them all in `ALL`.
///
/// ```
/// balcao_core::error_codes! {
///     /// The cart has no items to check out.
///     CART_EMPTY = ("cart_empty", 422);
/// }
/// assert_eq!(CART_EMPTY.status(), 422);
/// assert_eq!(ALL, &[CART_EMPTY]);
/// ```
#[macro_export]
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $name:ident = ($code:literal, $status:literal); )+) => {
        $(
            $(#[doc = $doc])+
            pub const $name: $crate::error::ErrorCode =
                $crate::error::ErrorCode::declare($code, $status, concat!($($doc),+));
        )+
        /// Every problem code this crate answers, in declaration order.
        pub const ALL: &[$crate::error::ErrorCode] = &[$($name),+];
    };
}

error_codes! {
    /// One or more fields are invalid; `errors` names each field with its own code.
    VALIDATION_FAILED = ("validation_failed", 422);
    /// Nothing exists here, or it belongs to another store.
    NOT_FOUND = ("not_found", 404);
    /// The caller lacks the permission the action needs in this store.
    FORBIDDEN = ("forbidden", 403);
    /// A dependency (the database) is unavailable; retry shortly.
    SERVICE_UNAVAILABLE = ("service_unavailable", 503);
    /// An unexpected failure; the request id finds it in the server's logs.
    INTERNAL_ERROR = ("internal_error", 500);
}
