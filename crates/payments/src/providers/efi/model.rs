//! EFI's PIX shapes: our types (centavos, English names) and the wire JSON (Portuguese names,
//! amounts as decimal strings), with the conversions between them.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Deserializer, Serialize};

/// Shortest txid EFI accepts on `PUT /v2/cob/:txid`.
pub const TXID_MIN_LEN: usize = 26;
/// Longest txid (and longest refund id) EFI accepts.
pub const TXID_MAX_LEN: usize = 35;
/// Largest amount the PIX API carries: `9999999999.99` (pattern `\d{1,10}\.\d{2}`).
pub const MAX_AMOUNT_CENTS: i64 = 999_999_999_999;

/// A new random txid: 32 characters of `[a-zA-Z0-9]` from the thread's CSPRNG (~190 bits).
pub fn new_txid() -> String {
    rand::rng().sample_iter(Alphanumeric).take(32).map(char::from).collect()
}

/// Whether `txid` matches `[a-zA-Z0-9]{26,35}`, what EFI accepts for a charge we name.
pub fn valid_txid(txid: &str) -> bool {
    (TXID_MIN_LEN..=TXID_MAX_LEN).contains(&txid.len()) && txid.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether `id` matches `[a-zA-Z0-9]{1,35}`, what EFI accepts for a refund (devolução) id.
pub fn valid_refund_id(id: &str) -> bool {
    (1..=TXID_MAX_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Why an amount string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("amount {0:?} is not a decimal with 1 to 10 digits, a dot and exactly 2 decimals (e.g. \"10.50\")")]
pub struct AmountError(pub String);

/// Parses EFI's amount string (`"110.00"`) into centavos, strictly.
///
/// Accepted: `\d{1,10}\.\d{2}`, the pattern of the PIX API spec, which EFI always sends.
/// Refused: `"10"`, `"10.5"`, `"10.505"`, signs, spaces, commas, exponents, empty strings.
/// A different shape means EFI changed its format, and guessing at money is worse than failing.
pub fn parse_amount(text: &str) -> Result<i64, AmountError> {
    let refuse = || AmountError(text.chars().take(32).collect());
    let (units, cents) = text.split_once('.').ok_or_else(refuse)?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty() || units.len() > 10 || cents.len() != 2 || !digits(units) || !digits(cents) {
        return Err(refuse());
    }
    let units: i64 = units.parse().map_err(|_| refuse())?;
    let cents: i64 = cents.parse().map_err(|_| refuse())?;
    Ok(units * 100 + cents)
}

/// Formats centavos as EFI's amount string: `12345` is `"123.45"`; refuses negatives and
/// amounts over [`MAX_AMOUNT_CENTS`].
pub fn format_amount(cents: i64) -> Option<String> {
    (0..=MAX_AMOUNT_CENTS).contains(&cents).then(|| format!("{}.{:02}", cents / 100, cents % 100))
}

/// The payer's tax id on a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebtorDocument {
    /// CPF, 11 digits.
    Cpf(String),
    /// CNPJ, 14 digits.
    Cnpj(String),
}

/// Who is expected to pay a charge (`devedor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debtor {
    /// CPF or CNPJ, digits only.
    pub document: DebtorDocument,
    /// The payer's name (`nome`).
    pub name: String,
}

/// An immediate charge to create (`PUT /v2/cob/:txid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CobRequest {
    /// Seconds the charge stays payable after creation (`calendario.expiracao`).
    pub expires_in_secs: u32,
    /// The payer, when known (`devedor`).
    pub debtor: Option<Debtor>,
    /// The amount in centavos (`valor.original`, sent as `"123.45"`).
    pub amount_cents: i64,
    /// The receiving PIX key of the EFI account (`chave`).
    pub pix_key: String,
    /// Text shown to the payer, up to 140 characters (`solicitacaoPagador`).
    pub payer_message: Option<String>,
}

impl CobRequest {
    /// Checks what EFI would refuse anyway, before anything is sent.
    pub fn validate(&self) -> Result<(), String> {
        if self.expires_in_secs == 0 {
            return Err("expires_in_secs must be at least 1".into());
        }
        if !(1..=MAX_AMOUNT_CENTS).contains(&self.amount_cents) {
            return Err(format!("amount_cents must be between 1 and {MAX_AMOUNT_CENTS}"));
        }
        if self.pix_key.trim().is_empty() || self.pix_key.len() > 77 {
            return Err("pix_key must have 1 to 77 characters".into());
        }
        if self.payer_message.as_ref().is_some_and(|m| m.chars().count() > 140) {
            return Err("payer_message must have at most 140 characters".into());
        }
        if let Some(debtor) = &self.debtor {
            let (doc, len, kind) = match &debtor.document {
                DebtorDocument::Cpf(doc) => (doc, 11, "CPF"),
                DebtorDocument::Cnpj(doc) => (doc, 14, "CNPJ"),
            };
            if doc.len() != len || !doc.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("the debtor's {kind} must have {len} digits"));
            }
            if debtor.name.trim().is_empty() || debtor.name.chars().count() > 200 {
                return Err("the debtor's name must have 1 to 200 characters".into());
            }
        }
        Ok(())
    }

    /// The JSON body EFI expects.
    pub(crate) fn to_wire(&self) -> Result<serde_json::Value, String> {
        let original = format_amount(self.amount_cents).ok_or("amount out of range")?;
        let mut body = serde_json::json!({
            "calendario": { "expiracao": self.expires_in_secs },
            "valor": { "original": original },
            "chave": self.pix_key,
        });
        if let Some(debtor) = &self.debtor {
            let (field, doc) = match &debtor.document {
                DebtorDocument::Cpf(doc) => ("cpf", doc),
                DebtorDocument::Cnpj(doc) => ("cnpj", doc),
            };
            body["devedor"] = serde_json::json!({ field: doc, "nome": debtor.name });
        }
        if let Some(message) = &self.payer_message {
            body["solicitacaoPagador"] = serde_json::Value::from(message.as_str());
        }
        Ok(body)
    }
}

/// The state of a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CobStatus {
    /// `ATIVA`: payable.
    Active,
    /// `CONCLUIDA`: paid.
    Completed,
    /// `REMOVIDA_PELO_USUARIO_RECEBEDOR`: cancelled by us.
    RemovedByReceiver,
    /// `REMOVIDA_PELO_PSP`: cancelled by EFI.
    RemovedByPsp,
    /// A status this client does not know yet, kept as sent.
    Other(String),
}

impl From<String> for CobStatus {
    fn from(status: String) -> Self {
        match status.as_str() {
            "ATIVA" => Self::Active,
            "CONCLUIDA" => Self::Completed,
            "REMOVIDA_PELO_USUARIO_RECEBEDOR" => Self::RemovedByReceiver,
            "REMOVIDA_PELO_PSP" => Self::RemovedByPsp,
            _ => Self::Other(status),
        }
    }
}

/// A charge as EFI reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cob {
    /// The charge's txid.
    pub txid: String,
    /// Its state.
    pub status: CobStatus,
    /// Revision number (`revisao`).
    pub revision: Option<u32>,
    /// When EFI created it (`calendario.criacao`).
    pub created_at: Option<DateTime<Utc>>,
    /// Seconds it stays payable (`calendario.expiracao`).
    pub expires_in_secs: Option<u64>,
    /// The amount in centavos (`valor.original`).
    pub amount_cents: i64,
    /// The receiving PIX key (`chave`).
    pub pix_key: Option<String>,
    /// The payload location behind the QR code (`location`).
    pub location: Option<String>,
    /// The "copia e cola" text for the payer (`pixCopiaECola`).
    pub pix_copia_e_cola: Option<String>,
    /// The text shown to the payer (`solicitacaoPagador`).
    pub payer_message: Option<String>,
    /// The payments received for it (`pix[]`), empty until paid.
    pub payments: Vec<PixPayment>,
}

/// The state of a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevolucaoStatus {
    /// `EM_PROCESSAMENTO`: requested, not settled yet.
    Processing,
    /// `DEVOLVIDO`: the money went back.
    Returned,
    /// `NAO_REALIZADO`: it failed (see `reason`).
    NotDone,
    /// A status this client does not know yet, kept as sent.
    Other(String),
}

impl From<String> for DevolucaoStatus {
    fn from(status: String) -> Self {
        match status.as_str() {
            "EM_PROCESSAMENTO" => Self::Processing,
            "DEVOLVIDO" => Self::Returned,
            "NAO_REALIZADO" => Self::NotDone,
            _ => Self::Other(status),
        }
    }
}

/// A refund (devolução) of a received PIX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Devolucao {
    /// Our refund id.
    pub id: String,
    /// The refund's PIX id at the central bank (`rtrId`).
    pub rtr_id: Option<String>,
    /// The refunded amount in centavos.
    pub amount_cents: i64,
    /// When it was requested (`horario.solicitacao`).
    pub requested_at: Option<DateTime<Utc>>,
    /// When it settled (`horario.liquidacao`).
    pub settled_at: Option<DateTime<Utc>>,
    /// Its state.
    pub status: DevolucaoStatus,
    /// Why it failed, when it did (`motivo`).
    pub reason: Option<String>,
}

/// Which way a PIX in a webhook went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PixDirection {
    /// Money received on our key: a payment.
    Received,
    /// Money sent from the account (EFI's `Pix enviado` callback, with `tipo` and `status`).
    Sent {
        /// EFI's status of the transfer, e.g. `REALIZADO`.
        status: String,
        /// Our send id (`gnExtras.idEnvio`).
        send_id: Option<String>,
    },
}

/// One PIX from a webhook or a charge's `pix[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixPayment {
    /// The PIX's end-to-end id (`endToEndId`), the key for refunds and deduplication.
    pub end_to_end_id: String,
    /// The charge it paid, when it paid one.
    pub txid: Option<String>,
    /// The PIX key involved (`chave`).
    pub pix_key: Option<String>,
    /// The amount in centavos (`valor`).
    pub amount_cents: i64,
    /// When it happened (`horario`).
    pub paid_at: DateTime<Utc>,
    /// The payer's free text (`infoPagador`).
    pub payer_info: Option<String>,
    /// EFI's fee when it reports one (`gnExtras.tarifa`), in centavos.
    pub fee_cents: Option<i64>,
    /// Received or sent.
    pub direction: PixDirection,
    /// Refunds of this PIX (`devolucoes`).
    pub refunds: Vec<Devolucao>,
}

/// A number EFI sends either as a JSON number or as a string (`"expiracao": "3600"`).
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(de: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(u64),
        Text(String),
    }
    match Option::<NumOrText>::deserialize(de)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Text(t)) => t.trim().parse().map(Some).map_err(|_| serde::de::Error::custom("not a number")),
    }
}

/// A serde error as text, without the offending value (bodies carry payer data).
pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let kept = if text.starts_with("missing field") || text.starts_with("unknown variant") {
        text
    } else {
        format!("{:?} error", error.classify())
    };
    format!("{kept} (line {}, column {})", error.line(), error.column())
}

/// The body of `PUT /v2/pix/:e2eId/devolucao/:id`.
#[derive(Serialize)]
pub(crate) struct WireRefundRequest {
    pub(crate) valor: String,
}
