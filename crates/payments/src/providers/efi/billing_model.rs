//! What goes to and comes from EFI's billing API (Cobranças): one-step boletos, charges and
//! notifications. Amounts are integer centavos on the wire, as here.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::model::lenient_u64;

/// The largest amount a boleto carries (its 10-digit amount field), in centavos.
pub const MAX_BOLETO_CENTS: i64 = 9_999_999_999;

/// A boleto to issue in one step (`POST /v1/charge/one-step`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoletoRequest {
    /// The single item's name, e.g. `Pedido 1001`.
    pub item_name: String,
    /// The amount in centavos.
    pub amount_cents: i64,
    /// The due date.
    pub expire_at: NaiveDate,
    /// Who pays.
    pub customer: BoletoCustomer,
    /// Our id for the charge, echoed in notifications (`metadata.custom_id`).
    pub custom_id: Option<String>,
    /// Where EFI posts a notification token on every status change (`metadata.notification_url`).
    pub notification_url: Option<String>,
    /// Days after the due date during which the boleto may still be paid (EFI: 0 to 120);
    /// `None` keeps the account's default.
    pub days_to_write_off: Option<u8>,
}

/// The payer printed on the boleto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoletoCustomer {
    /// The person's full name, or the company's name for a CNPJ.
    pub name: String,
    /// CPF or CNPJ.
    pub document: PayerDocument,
    /// Email, when known.
    pub email: Option<String>,
    /// Phone as EFI wants it: area code and number, 10 or 11 digits.
    pub phone_number: Option<String>,
}

/// The payer's tax id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayerDocument {
    /// A person: 11 digits.
    Cpf(String),
    /// A company: 14 characters (digits, or the alphanumeric CNPJ).
    Cnpj(String),
}

impl BoletoRequest {
    /// Checks what EFI would refuse anyway, before anything is sent.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_BOLETO_CENTS).contains(&self.amount_cents) {
            return Err(format!("amount_cents must be between 1 and {MAX_BOLETO_CENTS}"));
        }
        if self.item_name.trim().is_empty() || self.customer.name.trim().is_empty() {
            return Err("the item and the customer need a name".into());
        }
        let document_ok = match &self.customer.document {
            PayerDocument::Cpf(cpf) => cpf.len() == 11 && cpf.bytes().all(|b| b.is_ascii_digit()),
            PayerDocument::Cnpj(cnpj) => cnpj.len() == 14 && cnpj.bytes().all(|b| b.is_ascii_alphanumeric()),
        };
        if !document_ok {
            return Err("a CPF has 11 digits and a CNPJ 14 characters".into());
        }
        if self.days_to_write_off.is_some_and(|d| d > 120) {
            return Err("days_to_write_off must be between 0 and 120".into());
        }
        Ok(())
    }

    /// The JSON body of `POST /v1/charge/one-step`.
    pub(crate) fn to_wire(&self) -> Value {
        let c = &self.customer;
        let mut customer = Map::new();
        match &c.document {
            PayerDocument::Cpf(cpf) => {
                customer.insert("name".into(), json!(c.name));
                customer.insert("cpf".into(), json!(cpf));
            }
            PayerDocument::Cnpj(cnpj) => {
                customer.insert("juridical_person".into(), json!({ "corporate_name": c.name, "cnpj": cnpj }));
            }
        }
        if let Some(email) = &c.email {
            customer.insert("email".into(), json!(email));
        }
        if let Some(phone) = &c.phone_number {
            customer.insert("phone_number".into(), json!(phone));
        }
        let mut billet = Map::new();
        billet.insert("expire_at".into(), json!(self.expire_at.format("%Y-%m-%d").to_string()));
        billet.insert("customer".into(), Value::Object(customer));
        if let Some(days) = self.days_to_write_off {
            billet.insert("configurations".into(), json!({ "days_to_write_off": days }));
        }
        let mut body = json!({
            "items": [{ "name": self.item_name, "value": self.amount_cents, "amount": 1 }],
            "payment": { "banking_billet": billet },
        });
        let mut metadata = Map::new();
        if let Some(id) = &self.custom_id {
            metadata.insert("custom_id".into(), json!(id));
        }
        if let Some(url) = &self.notification_url {
            metadata.insert("notification_url".into(), json!(url));
        }
        if !metadata.is_empty() {
            body["metadata"] = Value::Object(metadata);
        }
        body
    }
}

/// A charge's status at EFI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeStatus {
    /// Created, no payment method yet.
    New,
    /// Waiting for the payer (a boleto issued).
    Waiting,
    /// Past its due date unpaid (it may still be paid until written off).
    Unpaid,
    /// Paid, confirmed by the bank.
    Paid,
    /// Marked paid by the merchant (paid outside EFI).
    Settled,
    /// Cancelled.
    Canceled,
    /// Expired (written off).
    Expired,
    /// Any other status EFI reports (`link`, `identified`, `refunded`, `contested`...).
    Other(String),
}

impl ChargeStatus {
    /// Reads EFI's status name.
    pub fn parse(raw: &str) -> Self {
        match raw {
            "new" => Self::New,
            "waiting" => Self::Waiting,
            "unpaid" => Self::Unpaid,
            "paid" => Self::Paid,
            "settled" => Self::Settled,
            "canceled" => Self::Canceled,
            "expired" => Self::Expired,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether the charge was paid (`paid`, or `settled` by the merchant).
    pub fn is_paid(&self) -> bool {
        matches!(self, Self::Paid | Self::Settled)
    }

    /// Whether the charge can no longer be paid (`canceled`, `expired`).
    pub fn is_gone(&self) -> bool {
        matches!(self, Self::Canceled | Self::Expired)
    }
}

/// The boleto EFI issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedBoleto {
    /// EFI's charge id.
    pub charge_id: u64,
    /// The linha digitável as EFI sent it (formatted; not verified by this client).
    pub line: String,
    /// The due date EFI recorded.
    pub expire_at: Option<NaiveDate>,
    /// The status (`waiting`).
    pub status: ChargeStatus,
    /// The charged total in centavos.
    pub total: i64,
    /// The BR Code a "Bolix" boleto also carries, when EFI adds one.
    pub pix_code: Option<String>,
    /// The boleto's page.
    pub link: Option<String>,
    /// The boleto's PDF.
    pub pdf_url: Option<String>,
}

/// A charge as `GET /v1/charge/:id` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingCharge {
    /// EFI's charge id.
    pub charge_id: u64,
    /// The total in centavos.
    pub total: i64,
    /// The status.
    pub status: ChargeStatus,
    /// Our id for it, when one was sent.
    pub custom_id: Option<String>,
}

/// One status change in a notification's history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationEntry {
    /// Its position in the token's history, from 1.
    pub id: u64,
    /// What changed: `charge` for a single charge (others: `carnet_charge`, `subscription`...).
    pub kind: String,
    /// Our id for the charge.
    pub custom_id: Option<String>,
    /// The charge, when the entry names one.
    pub charge_id: Option<u64>,
    /// The status after the change.
    pub status: ChargeStatus,
    /// The status before it.
    pub previous: Option<String>,
    /// The amount paid in centavos, on a payment confirmation.
    pub value: Option<i64>,
    /// The day the bank received the payment.
    pub received_by_bank_at: Option<NaiveDate>,
    /// When the change happened (EFI sends São Paulo time, UTC-3).
    pub created_at: Option<DateTime<Utc>>,
}

/// EFI's `{"code": 200, "data": ...}` envelope.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    pub(crate) data: T,
}

#[derive(Deserialize)]
pub(crate) struct WireIssued {
    #[serde(deserialize_with = "required_u64")]
    charge_id: u64,
    barcode: String,
    expire_at: Option<String>,
    status: String,
    total: i64,
    pix: Option<WirePix>,
    link: Option<String>,
    billet_link: Option<String>,
    pdf: Option<WirePdf>,
}

#[derive(Deserialize)]
struct WirePix {
    qrcode: Option<String>,
}

#[derive(Deserialize)]
struct WirePdf {
    charge: Option<String>,
}

impl WireIssued {
    pub(crate) fn into_model(self) -> Result<IssuedBoleto, String> {
        Ok(IssuedBoleto {
            charge_id: self.charge_id,
            line: self.barcode,
            expire_at: self.expire_at.as_deref().map(date).transpose()?,
            status: ChargeStatus::parse(&self.status),
            total: self.total,
            pix_code: self.pix.and_then(|p| p.qrcode),
            link: self.billet_link.or(self.link),
            pdf_url: self.pdf.and_then(|p| p.charge),
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct WireCharge {
    #[serde(deserialize_with = "required_u64")]
    charge_id: u64,
    total: i64,
    status: String,
    custom_id: Option<String>,
}

impl WireCharge {
    pub(crate) fn into_model(self) -> BillingCharge {
        let status = ChargeStatus::parse(&self.status);
        BillingCharge { charge_id: self.charge_id, total: self.total, status, custom_id: self.custom_id }
    }
}

#[derive(Deserialize)]
pub(crate) struct WireEntry {
    #[serde(default, deserialize_with = "lenient_u64")]
    id: Option<u64>,
    #[serde(rename = "type")]
    kind: String,
    custom_id: Option<String>,
    status: WireEntryStatus,
    identifiers: Option<WireIdentifiers>,
    #[serde(default, deserialize_with = "lenient_u64")]
    value: Option<u64>,
    received_by_bank_at: Option<String>,
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct WireEntryStatus {
    current: String,
    previous: Option<String>,
}

#[derive(Deserialize)]
struct WireIdentifiers {
    #[serde(default, deserialize_with = "lenient_u64")]
    charge_id: Option<u64>,
}

impl WireEntry {
    pub(crate) fn into_model(self) -> Result<NotificationEntry, String> {
        let value = self.value.map(i64::try_from).transpose().map_err(|_| "value out of range".to_owned())?;
        Ok(NotificationEntry {
            id: self.id.unwrap_or_default(),
            kind: self.kind,
            custom_id: self.custom_id,
            charge_id: self.identifiers.and_then(|i| i.charge_id),
            status: ChargeStatus::parse(&self.status.current),
            previous: self.status.previous,
            value,
            received_by_bank_at: self.received_by_bank_at.as_deref().map(date).transpose()?,
            created_at: self.created_at.as_deref().and_then(sao_paulo_time),
        })
    }
}

/// `YYYY-MM-DD`.
fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| "a date is not YYYY-MM-DD".to_owned())
}

/// EFI's `YYYY-MM-DD HH:MM:SS` in São Paulo time (UTC-3, no daylight saving since 2019).
pub(crate) fn sao_paulo_time(text: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    local.checked_add_signed(TimeDelta::hours(3)).and_then(|t| balcao_core::timestamp::in_range(t.and_utc()))
}

fn required_u64<'de, D: serde::Deserializer<'de>>(de: D) -> Result<u64, D::Error> {
    lenient_u64(de)?.ok_or_else(|| serde::de::Error::custom("missing number"))
}
