//! EFI's PIX split ("Split de pagamento Pix"): a split configuration naming what each EFI
//! account receives (`PUT /v2/gn/split/config/:id`), linked to a charge before it is paid
//! (`PUT /v2/gn/split/cob/:txid/vinculo/:splitConfigId`). EFI moves the shares itself when the
//! PIX settles. balcao writes one configuration per charge with fixed amounts (its shares are
//! already computed in centavos), keyed by an id derived from the txid, so a retried create
//! updates the same configuration.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::EfiError;
use super::client::EfiClient;
use super::model::format_amount;

/// One EFI account's fixed share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repasse {
    /// The holder's CPF (11 digits) or CNPJ (14 digits).
    pub document: String,
    /// The EFI account number.
    pub account: String,
    /// Its share in centavos.
    pub amount_cents: i64,
}

#[derive(Serialize)]
struct WireConfig<'a> {
    descricao: &'a str,
    lancamento: WireLancamento,
    split: WireSplit,
}

#[derive(Serialize)]
struct WireLancamento {
    imediato: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireSplit {
    divisao_tarifa: &'static str,
    minha_parte: WirePart,
    repasses: Vec<WireRepasse>,
}

#[derive(Serialize)]
struct WirePart {
    tipo: &'static str,
    valor: String,
}

#[derive(Serialize)]
struct WireRepasse {
    tipo: &'static str,
    valor: String,
    favorecido: Value,
}

fn amount(cents: i64) -> Result<String, EfiError> {
    format_amount(cents)
        .filter(|_| cents >= 0)
        .ok_or_else(|| EfiError::InvalidInput(format!("split amount {cents} is out of range")))
}

fn check_id(id: &str) -> Result<(), EfiError> {
    if (26..=35).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(EfiError::InvalidInput("split and charge ids must match [a-zA-Z0-9]{26,35}".into()))
    }
}

/// The body of a split configuration: the receiver keeps `own_cents` and pays every fee
/// (`assumir_total`); each `repasse` gets its fixed amount.
pub fn config_body(description: &str, own_cents: i64, repasses: &[Repasse]) -> Result<Value, EfiError> {
    if repasses.is_empty() {
        return Err(EfiError::InvalidInput("a split needs at least one repasse".into()));
    }
    let mut wire = Vec::with_capacity(repasses.len());
    for r in repasses {
        let key = match r.document.len() {
            11 => "cpf",
            14 => "cnpj",
            _ => return Err(EfiError::InvalidInput("a favorecido needs a CPF or CNPJ".into())),
        };
        let favorecido = serde_json::json!({ key: r.document, "conta": r.account });
        wire.push(WireRepasse { tipo: "fixo", valor: amount(r.amount_cents)?, favorecido });
    }
    let config = WireConfig {
        descricao: description,
        lancamento: WireLancamento { imediato: true },
        split: WireSplit {
            divisao_tarifa: "assumir_total",
            minha_parte: WirePart { tipo: "fixo", valor: amount(own_cents)? },
            repasses: wire,
        },
    };
    serde_json::to_value(config).map_err(|e| EfiError::InvalidInput(e.to_string()))
}

impl EfiClient {
    /// Writes the split configuration `id` (`PUT /v2/gn/split/config/:id`).
    pub async fn configure_split(&self, id: &str, body: &Value) -> Result<Value, EfiError> {
        check_id(id)?;
        self.api.call(Method::PUT, &format!("/v2/gn/split/config/{id}"), Some(body)).await
    }

    /// Links a charge to a split configuration before it is paid
    /// (`PUT /v2/gn/split/cob/:txid/vinculo/:splitConfigId`).
    pub async fn link_split(&self, txid: &str, config_id: &str) -> Result<(), EfiError> {
        check_id(txid)?;
        check_id(config_id)?;
        let path = format!("/v2/gn/split/cob/{txid}/vinculo/{config_id}");
        let _: Value = self.api.call(Method::PUT, &path, None).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_pays_fixed_shares_and_the_receiver_keeps_the_rest() {
        let body = config_body(
            "Pedido 1001",
            9845,
            &[
                Repasse { document: "12345678909".into(), account: "1234567".into(), amount_cents: 1148 },
                Repasse { document: "11222333000181".into(), account: "7654321".into(), amount_cents: 487 },
            ],
        )
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "descricao": "Pedido 1001",
                "lancamento": {"imediato": true},
                "split": {
                    "divisaoTarifa": "assumir_total",
                    "minhaParte": {"tipo": "fixo", "valor": "98.45"},
                    "repasses": [
                        {"tipo": "fixo", "valor": "11.48", "favorecido": {"cpf": "12345678909", "conta": "1234567"}},
                        {"tipo": "fixo", "valor": "4.87", "favorecido": {"cnpj": "11222333000181", "conta": "7654321"}}
                    ]
                }
            })
        );
        assert!(config_body("x", 100, &[]).is_err());
        assert!(check_id("s0123456789abcdef0123456789abcdef").is_ok());
        assert!(check_id("short").is_err());
    }
}
