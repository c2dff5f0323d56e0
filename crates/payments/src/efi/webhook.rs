//! EFI's PIX webhook body: `{"pix": [...]}`, one element per PIX received (with its refunds under
//! `devolucoes`) or sent.
//!
//! EFI POSTs it to the registered URL with `/pix` appended, over mutual TLS: the receiving
//! server must require EFI's client certificate (the chains EFI publishes for production and
//! homologation). It retries a non-2xx answer up to 10 times over about three and a half days, so handlers
//! must be idempotent: key on `end_to_end_id` (and refund `id`). When a webhook is registered,
//! EFI sends a test body `{"evento": "teste_webhook"}`, which parses to no payments.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::model::{AmountError, Devolucao, PixDirection, PixPayment, describe_json_error, parse_amount};

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

#[derive(Deserialize)]
pub(crate) struct WirePix {
    #[serde(rename = "endToEndId")]
    end_to_end_id: String,
    txid: Option<String>,
    chave: Option<String>,
    valor: String,
    horario: DateTime<Utc>,
    #[serde(rename = "infoPagador")]
    info_pagador: Option<String>,
    tipo: Option<String>,
    status: Option<String>,
    #[serde(rename = "gnExtras")]
    gn_extras: Option<WireGnExtras>,
    #[serde(default)]
    devolucoes: Vec<WireDevolucao>,
}

#[derive(Deserialize)]
struct WireGnExtras {
    tarifa: Option<String>,
    #[serde(rename = "idEnvio")]
    id_envio: Option<String>,
}

impl WirePix {
    pub(crate) fn into_model(self) -> Result<PixPayment, AmountError> {
        let (fee, send_id) = self.gn_extras.map_or((None, None), |g| (g.tarifa, g.id_envio));
        let direction = match (self.tipo, self.status) {
            (None, None) => PixDirection::Received,
            (_, status) => PixDirection::Sent { status: status.unwrap_or_default(), send_id },
        };
        Ok(PixPayment {
            end_to_end_id: self.end_to_end_id,
            txid: self.txid.filter(|t| !t.is_empty()),
            pix_key: self.chave,
            amount_cents: parse_amount(&self.valor)?,
            paid_at: self.horario,
            payer_info: self.info_pagador,
            fee_cents: fee.as_deref().map(parse_amount).transpose()?,
            direction,
            refunds: self.devolucoes.into_iter().map(WireDevolucao::into_model).collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct WireDevolucao {
    id: String,
    #[serde(rename = "rtrId")]
    rtr_id: Option<String>,
    valor: String,
    horario: Option<WireHorario>,
    status: String,
    motivo: Option<String>,
}

#[derive(Deserialize)]
struct WireHorario {
    solicitacao: Option<DateTime<Utc>>,
    liquidacao: Option<DateTime<Utc>>,
}

impl WireDevolucao {
    pub(crate) fn into_model(self) -> Result<Devolucao, AmountError> {
        let (requested_at, settled_at) = self.horario.map_or((None, None), |h| (h.solicitacao, h.liquidacao));
        Ok(Devolucao {
            id: self.id,
            rtr_id: self.rtr_id,
            amount_cents: parse_amount(&self.valor)?,
            requested_at,
            settled_at,
            status: self.status.into(),
            reason: self.motivo,
        })
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
