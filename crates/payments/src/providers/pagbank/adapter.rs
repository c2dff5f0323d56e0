//! PIX, cards and boletos through a store's PagBank account: an order per payment (its
//! `ORDE_...` id is the payment's provider id) carrying a QR code, a card charge captured at once,
//! or a boleto charge whose line is checked before anyone sees it; refunds cancel the paid charge
//! in full or in part; reconciliation reads the order back.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

use super::{
    Amount, BoletoRequest, Charge as PagBankCharge, ChargeRequest as PagBankChargeRequest, ChargeStatus, Customer,
    EncryptedCard, Holder, InstructionLines, Item, Order, OrderRequest, PRODUCTION_URL, PagBankClient, PagBankError,
    PaymentMethodRequest, Phone, QrCodeRequest,
};
use crate::br::boleto::{self, Boleto};
use crate::payments::model::{Instructions, Method};
use crate::providers::cache::Clients;
use crate::providers::{Account, Charge, ChargeRef, ChargeRequest, PaymentProvider, ProviderError, Remote};

/// Brasília time (UTC-3, no daylight saving since 2019): boleto due dates and QR code
/// expirations are written in it.
const BRASILIA_OFFSET_SECS: i32 = -3 * 3600;

/// The PagBank provider, with a client kept per account.
pub struct PagBankProvider {
    clock: fn() -> DateTime<Utc>,
    clients: Clients<PagBankClient>,
}

impl Default for PagBankProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl PagBankProvider {
    /// A provider on the system clock.
    pub fn new() -> Self {
        Self { clock: Utc::now, clients: Clients::new() }
    }

    /// A provider whose "now" comes from `clock` (expirations, due dates, boleto checks).
    pub fn with_clock(clock: fn() -> DateTime<Utc>) -> Self {
        Self { clock, clients: Clients::new() }
    }
}

/// The client on the store's account (its `token`, and `base_url` when set).
fn client(clients: &Clients<PagBankClient>, account: &Account) -> Result<Arc<PagBankClient>, ProviderError> {
    let token = account
        .credentials
        .get("token")
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ProviderError::permanent("missing_credentials", "the PagBank account has no token"))?;
    let base_url =
        account.settings.get("base_url").and_then(|v| v.as_str()).filter(|v| !v.is_empty()).unwrap_or(PRODUCTION_URL);
    clients.get_or_build(&[base_url, token], || PagBankClient::new(base_url, token, account.outbound).map_err(error))
}

fn error(e: PagBankError) -> ProviderError {
    let code = e.code().unwrap_or("pagbank_error").to_owned();
    if e.is_retryable() {
        ProviderError::retryable(code, e.to_string())
    } else {
        ProviderError::permanent(code, e.to_string())
    }
}

fn invalid(message: impl Into<String>) -> ProviderError {
    ProviderError::permanent("invalid_response", message)
}

fn brasilia(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(BRASILIA_OFFSET_SECS).map_or_else(|| at.fixed_offset(), |tz| at.with_timezone(&tz))
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The order PagBank gets for `req` at `now`; refused before anything is sent when the method
/// lacks what PagBank needs (an encrypted card, the payer's CPF/CNPJ for a boleto).
pub fn order_request(req: &ChargeRequest, now: DateTime<Utc>) -> Result<OrderRequest, ProviderError> {
    let expires_at = now + chrono::Duration::from_std(req.expires_in).unwrap_or(chrono::Duration::hours(1));
    let document = req.payer.document.as_deref().filter(|d| matches!(d.len(), 11 | 14)).map(str::to_owned);
    let reference = req.payment_id.to_string();
    let description = clip(&format!("{} - pedido {}", req.store_name, req.order_number), 64);
    let charge = |payment_method| PagBankChargeRequest {
        reference_id: reference.clone(),
        description: description.clone(),
        amount: Amount { value: req.amount, currency: Some("BRL".into()) },
        payment_method,
    };
    let (qr_codes, charges) = match req.method {
        Method::Pix => {
            let expiration_date = brasilia(expires_at).to_rfc3339_opts(SecondsFormat::Secs, false);
            (vec![QrCodeRequest { amount: Amount { value: req.amount, currency: None }, expiration_date }], vec![])
        }
        Method::Card => {
            let token = req.card_token.as_deref().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
                ProviderError::permanent("card_token_required", "PagBank takes cards encrypted by its browser SDK")
            })?;
            let card = EncryptedCard { encrypted: token.to_owned() };
            (vec![], vec![charge(PaymentMethodRequest::CreditCard { installments: 1, capture: true, card })])
        }
        Method::Boleto => {
            let tax_id = document.clone().ok_or_else(|| {
                ProviderError::permanent("payer_document_required", "a boleto needs the payer's CPF or CNPJ")
            })?;
            let boleto = BoletoRequest {
                due_date: brasilia(expires_at).date_naive(),
                instruction_lines: InstructionLines {
                    line_1: clip(&format!("Pedido {} - {}", req.order_number, req.store_name), 75),
                    line_2: "Não receber após o vencimento".into(),
                },
                holder: Holder { name: req.payer.name.clone(), tax_id, email: req.payer.email.clone() },
            };
            (vec![], vec![charge(PaymentMethodRequest::Boleto { boleto })])
        }
    };
    Ok(OrderRequest {
        reference_id: reference,
        customer: Customer {
            name: req.payer.name.clone(),
            email: req.payer.email.clone(),
            tax_id: document,
            phones: req.payer.phone.as_deref().and_then(Phone::from_e164).into_iter().collect(),
        },
        items: vec![Item {
            reference_id: req.order_id.to_string(),
            name: format!("Pedido {}", req.order_number),
            quantity: 1,
            unit_amount: req.amount,
        }],
        qr_codes,
        charges,
        notification_urls: req.notification_url.iter().cloned().collect(),
    })
}

/// The boleto PagBank issued, checked: its line (and its barcode, when given as well) must pass
/// every check digit, name the same boleto and carry the charged amount.
pub fn checked_boleto(charge: &PagBankCharge, amount: i64, today: NaiveDate) -> Result<Boleto, ProviderError> {
    let info = charge.boleto().ok_or_else(|| invalid("PagBank answered the boleto charge without its boleto"))?;
    let mut read = Vec::new();
    if let Some(line) = &info.formatted_barcode {
        read.push(boleto::from_line(line, today));
    }
    if let Some(code) = &info.barcode {
        let digits = code.bytes().filter(u8::is_ascii_digit).count();
        read.push(if digits == 44 { boleto::from_barcode(code, today) } else { boleto::from_line(code, today) });
    }
    let mut boletos =
        read.into_iter().map(|r| r.map_err(|e| invalid(format!("PagBank answered an invalid boleto: {e}"))));
    let first = boletos.next().ok_or_else(|| invalid("PagBank answered the boleto without its line"))??;
    for other in boletos {
        if other? != first {
            return Err(invalid("PagBank's boleto barcode and line name different boletos"));
        }
    }
    if first.amount() != amount {
        return Err(invalid(format!("PagBank's boleto is for {} centavos, not {amount}", first.amount())));
    }
    Ok(first)
}

/// What an order says of its payment at `now`: paid when a charge is paid; gone when every
/// charge was declined or cancelled and no QR code still takes payments; otherwise pending.
pub fn remote(order: &Order, now: DateTime<Utc>) -> Remote {
    let paid: Vec<&PagBankCharge> = order.charges.iter().filter(|c| c.status == ChargeStatus::Paid).collect();
    if !paid.is_empty() {
        let amount = paid.iter().map(|c| c.paid_amount()).sum();
        let at = paid.iter().filter_map(|c| c.paid_at).min().unwrap_or(now);
        return Remote::Paid { amount, at };
    }
    let ended = order.charges.iter().all(|c| matches!(c.status, ChargeStatus::Declined | ChargeStatus::Canceled));
    let open_qr = order.qr_codes.iter().any(|q| q.expiration_date.is_none_or(|at| at > now));
    if ended && !open_qr { Remote::Gone } else { Remote::Pending }
}

#[async_trait]
impl PaymentProvider for PagBankProvider {
    fn name(&self) -> &'static str {
        "pagbank"
    }

    fn methods(&self) -> &'static [Method] {
        &[Method::Pix, Method::Boleto, Method::Card]
    }

    async fn create(&self, account: &Account, req: &ChargeRequest) -> Result<Charge, ProviderError> {
        let now = (self.clock)();
        let request = order_request(req, now)?;
        let expires_at = now + chrono::Duration::from_std(req.expires_in).unwrap_or(chrono::Duration::hours(1));
        let order =
            client(&self.clients, account)?.create_order(&request, &req.idempotency_key).await.map_err(error)?;
        let mut instructions = Instructions::default();
        let (expires_at, status) = match req.method {
            Method::Pix => {
                let qr = order.qr_codes.first();
                let code = qr.and_then(|q| q.text.clone()).filter(|t| !t.trim().is_empty());
                instructions.pix_code =
                    Some(code.ok_or_else(|| invalid("PagBank answered the order without its QR code"))?);
                (Some(qr.and_then(|q| q.expiration_date).unwrap_or(expires_at)), Remote::Pending)
            }
            Method::Card | Method::Boleto => {
                let charge =
                    order.charges.first().ok_or_else(|| invalid("PagBank answered the order without its charge"))?;
                if matches!(charge.status, ChargeStatus::Declined | ChargeStatus::Canceled) {
                    let (code, message) = charge.failure();
                    return Err(ProviderError::permanent(code, message));
                }
                if req.method == Method::Card {
                    let status = match charge.status {
                        ChargeStatus::Paid => {
                            Remote::Paid { amount: charge.paid_amount(), at: charge.paid_at.unwrap_or(now) }
                        }
                        _ => Remote::Pending,
                    };
                    // A card payment waits for PagBank's analysis without a deadline of its own.
                    (None, status)
                } else {
                    let boleto = checked_boleto(charge, req.amount, brasilia(now).date_naive())?;
                    instructions.boleto_line = Some(boleto.formatted_line());
                    instructions.boleto_barcode = Some(boleto.barcode().to_owned());
                    instructions.due_date = boleto.due_date().or(Some(brasilia(expires_at).date_naive()));
                    (Some(expires_at), Remote::Pending)
                }
            }
        };
        Ok(Charge { provider_payment_id: order.id, instructions, expires_at, status })
    }

    async fn refund(
        &self,
        account: &Account,
        charge: ChargeRef<'_>,
        refund_id: &str,
        amount: i64,
    ) -> Result<String, ProviderError> {
        let client = client(&self.clients, account)?;
        let order = client.get_order(charge.id).await.map_err(error)?;
        let paid = order
            .charges
            .iter()
            .find(|c| c.status == ChargeStatus::Paid)
            .ok_or_else(|| ProviderError::permanent("not_paid", "PagBank shows no paid charge for this order"))?;
        let cancelled = client.cancel_charge(&paid.id, amount, &format!("refund-{refund_id}")).await.map_err(error)?;
        Ok(cancelled.id)
    }

    async fn status(&self, account: &Account, charge: ChargeRef<'_>) -> Result<Remote, ProviderError> {
        let order = client(&self.clients, account)?.get_order(charge.id).await.map_err(error)?;
        Ok(remote(&order, (self.clock)()))
    }
}
