//! EFI's PIX webhook body: `{"pix": [...]}`, one element per PIX received (with its refunds under
//! `devolucoes`) or sent.
//!
//! EFI POSTs it to the registered URL with `/pix` appended, over mutual TLS: the receiving
//! server must require EFI's client certificate (the chains EFI publishes for production and
//! homologation). It retries a non-2xx answer up to 10 times over about three and a half days, so handlers
//! must be idempotent: key on `end_to_end_id` (and refund `id`). When a webhook is registered,
//! EFI sends a test body `{"evento": "teste_webhook"}`, which parses to no payments.

use serde::Deserialize;

use super::model::{AmountError, PixPayment, describe_json_error};
use super::wire::WirePix;

/// Why a webhook body was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Not JSON, or not EFI's shape (a missing `endToEndId`, `valor` or `horario`, a bad date).
    #[error("the EFI webhook body is malformed: {0}")]
    Malformed(String),
    /// An amount was not a strict two-decimal string.
    #[error(transparent)]
    Amount(#[from] AmountError),
}

#[derive(Deserialize)]
struct Body {
    pix: Option<Vec<WirePix>>,
    evento: Option<String>,
}

/// Parses EFI's PIX webhook body into the PIX it reports, in order.
///
/// Received payments have `direction == PixDirection::Received` and usually a `txid`; a PIX
/// paid to the key without a charge has none. Refunds of a received PIX come in `refunds`,
/// with their own status. The registration test (`{"evento": "teste_webhook"}`) gives an
/// empty list; any other body without `pix` is refused.
pub fn parse_pix_webhook(body: &[u8]) -> Result<Vec<PixPayment>, WebhookError> {
    let parsed: Body = serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(describe_json_error(&e)))?;
    match (parsed.pix, parsed.evento) {
        (Some(pix), _) => Ok(pix.into_iter().map(WirePix::into_model).collect::<Result<_, _>>()?),
        (None, Some(evento)) if evento == "teste_webhook" => Ok(Vec::new()),
        (None, _) => Err(WebhookError::Malformed("no `pix` array".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_field_is_named() {
        let error = parse_pix_webhook(br#"{"pix":[{"txid":"x","valor":"1.00","horario":"2020-01-01T00:00:00Z"}]}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("missing field `endToEndId`"), "{error}");
    }

    #[test]
    fn offending_values_stay_out_of_errors() {
        let error = parse_pix_webhook(br#"{"pix":[{"endToEndId":"E1","valor":"1.00","horario":"12345678909"}]}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!error.contains("12345678909"), "{error}");
    }
}
