//! PagBank's Orders API bodies: the order balcao creates (PIX QR code, card or boleto charge)
//! and the order PagBank answers and notifies. Amounts are integer centavos on the wire.
//! Response fields balcao does not read are ignored; the ones it reads are lenient where
//! PagBank's samples disagree (codes as strings or numbers, timestamps with any offset).

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// `POST /orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRequest {
    /// balcao's payment id.
    pub reference_id: String,
    /// Who pays.
    pub customer: Customer,
    /// What is sold (one line for the whole order).
    pub items: Vec<Item>,
    /// PIX: one QR code.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub qr_codes: Vec<QrCodeRequest>,
    /// Card or boleto: one charge.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<ChargeRequest>,
    /// Where PagBank posts the order when it changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notification_urls: Vec<String>,
}

/// The order's customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// CPF or CNPJ, digits only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// Brazilian phones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
}

/// A Brazilian phone, split as PagBank wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phone {
    /// `55`.
    pub country: String,
    /// The two-digit area code (DDD).
    pub area: String,
    /// Eight or nine digits.
    pub number: String,
    /// `MOBILE`, `BUSINESS` or `HOME`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl Phone {
    /// A `+55` E.164 phone (`+5511987654321`) as a mobile phone; `None` for any other number.
    pub fn from_e164(phone: &str) -> Option<Self> {
        let national = phone.strip_prefix("+55")?;
        let valid = matches!(national.len(), 10 | 11) && national.bytes().all(|b| b.is_ascii_digit());
        let (area, number) = national.split_at_checked(2).filter(|_| valid)?;
        Some(Self { country: "55".into(), area: area.into(), number: number.into(), kind: "MOBILE".into() })
    }
}

/// One line of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// balcao's order id.
    pub reference_id: String,
    /// `Pedido 1001`.
    pub name: String,
    /// Always 1: the line stands for the whole order.
    pub quantity: u32,
    /// Centavos.
    pub unit_amount: i64,
}

/// An amount; `currency` is sent on charges only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// Centavos.
    pub value: i64,
    /// `BRL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// A PIX QR code to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrCodeRequest {
    /// The amount (no currency).
    pub amount: Amount,
    /// RFC 3339, e.g. `2026-11-29T18:00:00-03:00`.
    pub expiration_date: String,
}

/// A charge to create with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChargeRequest {
    /// balcao's payment id.
    pub reference_id: String,
    /// Shown to the payer.
    pub description: String,
    /// The amount, in `BRL`.
    pub amount: Amount,
    /// Card or boleto.
    pub payment_method: PaymentMethodRequest,
}

/// How a charge is paid (`payment_method.type` tags it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMethodRequest {
    /// A card encrypted in the payer's browser by PagBank's SDK.
    CreditCard {
        /// 1: no installments.
        installments: u32,
        /// Capture at once.
        capture: bool,
        /// The encrypted card.
        card: EncryptedCard,
    },
    /// A boleto.
    Boleto {
        /// Its details.
        boleto: BoletoRequest,
    },
}

/// `card.encrypted`: opaque to balcao, never logged.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct EncryptedCard {
    /// The SDK's output.
    pub encrypted: String,
}

impl fmt::Debug for EncryptedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedCard").field("encrypted", &"[redacted]").finish()
    }
}

/// A boleto to issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoletoRequest {
    /// `YYYY-MM-DD`.
    pub due_date: NaiveDate,
    /// Printed on the boleto.
    pub instruction_lines: InstructionLines,
    /// The payer named on it.
    pub holder: Holder,
}

/// Two printed lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstructionLines {
    /// First line.
    pub line_1: String,
    /// Second line.
    pub line_2: String,
}

/// A boleto's payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// Full name.
    pub name: String,
    /// CPF or CNPJ, digits only.
    pub tax_id: String,
    /// Email.
    pub email: String,
}

/// An order as PagBank answers and notifies it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Order {
    /// `ORDE_...`.
    pub id: String,
    /// balcao's payment id.
    #[serde(default)]
    pub reference_id: Option<String>,
    /// PIX QR codes.
    #[serde(default)]
    pub qr_codes: Vec<QrCode>,
    /// Charges: the card or boleto charge, or the PIX payment once received.
    #[serde(default)]
    pub charges: Vec<Charge>,
}

/// A PIX QR code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct QrCode {
    /// `QRCO_...`.
    #[serde(default)]
    pub id: Option<String>,
    /// The BR Code ("copia e cola").
    #[serde(default)]
    pub text: Option<String>,
    /// When it stops taking payments.
    #[serde(default, deserialize_with = "timestamp")]
    pub expiration_date: Option<DateTime<Utc>>,
    /// Its images (`QRCODE.PNG`, `QRCODE.BASE64`).
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A link PagBank gives (QR code image, boleto PDF).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Link {
    /// What it is.
    #[serde(default)]
    pub rel: Option<String>,
    /// Where.
    #[serde(default)]
    pub href: Option<String>,
    /// Its media type.
    #[serde(default)]
    pub media: Option<String>,
}

/// Where a charge stands; unknown future values read as [`Self::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChargeStatus {
    /// Authorized, not captured.
    Authorized,
    /// Paid.
    Paid,
    /// PagBank is analysing it.
    InAnalysis,
    /// Refused.
    Declined,
    /// Cancelled (or refunded in full).
    Canceled,
    /// Waiting for the payer (boletos).
    Waiting,
    /// A status this version of balcao does not know.
    #[serde(other)]
    Unknown,
}

/// A charge.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Charge {
    /// `CHAR_...`.
    pub id: String,
    /// Where it stands.
    pub status: ChargeStatus,
    /// balcao's payment id.
    #[serde(default)]
    pub reference_id: Option<String>,
    /// Its amount and what was paid and refunded of it.
    pub amount: ChargeAmount,
    /// The issuer's or PagBank's answer.
    #[serde(default)]
    pub payment_response: Option<PaymentResponse>,
    /// When it was paid.
    #[serde(default, deserialize_with = "timestamp")]
    pub paid_at: Option<DateTime<Utc>>,
    /// How it is paid.
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    /// The boleto's PDF and image.
    #[serde(default)]
    pub links: Vec<Link>,
}

impl Charge {
    /// What was paid: `amount.summary.paid`, else the charge's value.
    pub fn paid_amount(&self) -> i64 {
        match &self.amount.summary {
            Some(summary) if summary.paid > 0 => summary.paid,
            _ => self.amount.value,
        }
    }

    /// Declined or cancelled without any money having moved.
    pub fn failed_unpaid(&self) -> bool {
        let moved = self.amount.summary.as_ref().is_some_and(|s| s.paid > 0 || s.refunded > 0);
        matches!(self.status, ChargeStatus::Declined | ChargeStatus::Canceled) && !moved && self.paid_at.is_none()
    }

    /// The answer's code and message, for a failure (`declined` when PagBank gave none).
    pub fn failure(&self) -> (String, String) {
        let response = self.payment_response.as_ref();
        let code = response.and_then(|r| r.code.clone()).unwrap_or_else(|| "declined".to_owned());
        let message = response.and_then(|r| r.message.clone()).unwrap_or_default();
        (code, message)
    }

    /// The boleto PagBank issued, when it is one.
    pub fn boleto(&self) -> Option<&BoletoInfo> {
        self.payment_method.as_ref()?.boleto.as_ref()
    }
}

/// A charge's amount.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChargeAmount {
    /// Centavos.
    pub value: i64,
    /// `BRL`.
    #[serde(default)]
    pub currency: Option<String>,
    /// What was paid and refunded.
    #[serde(default)]
    pub summary: Option<AmountSummary>,
}

/// `amount.summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct AmountSummary {
    /// The charge's total.
    #[serde(default)]
    pub total: i64,
    /// Paid.
    #[serde(default)]
    pub paid: i64,
    /// Refunded.
    #[serde(default)]
    pub refunded: i64,
}

/// `payment_response`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentResponse {
    /// `20000` for success, other codes for refusals.
    #[serde(default, deserialize_with = "text")]
    pub code: Option<String>,
    /// Its message.
    #[serde(default, deserialize_with = "text")]
    pub message: Option<String>,
}

/// `payment_method` as answered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentMethod {
    /// `CREDIT_CARD`, `BOLETO`, `PIX`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The boleto, for boleto charges.
    #[serde(default)]
    pub boleto: Option<BoletoInfo>,
}

/// An issued boleto.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BoletoInfo {
    /// PagBank's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Digits only: the 47-digit line in PagBank's samples (a 44-digit barcode is accepted too).
    #[serde(default, deserialize_with = "text")]
    pub barcode: Option<String>,
    /// The line as printed, with dots and spaces.
    #[serde(default, deserialize_with = "text")]
    pub formatted_barcode: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "text")]
    pub due_date: Option<String>,
}

/// A string or a number as text; anything else (or nothing) as `None`.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// An RFC 3339 timestamp with any offset; unreadable values as `None`.
fn timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let value = text(deserializer)?;
    let at = value.and_then(|v| DateTime::parse_from_rfc3339(v.trim()).ok());
    Ok(at.and_then(|t| balcao_core::timestamp::in_range(t.with_timezone(&Utc))))
}
