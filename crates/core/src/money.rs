//! Money as integer minor units with an ISO 4217 currency. No floats anywhere.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// An ISO 4217 currency balcao supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
pub enum Currency {
    /// Brazilian real (2 decimal places).
    #[default]
    BRL,
    /// US dollar.
    USD,
    /// Euro.
    EUR,
}

impl Currency {
    /// The ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Self::BRL => "BRL",
            Self::USD => "USD",
            Self::EUR => "EUR",
        }
    }

    /// Parses an ISO code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "BRL" => Some(Self::BRL),
            "USD" => Some(Self::USD),
            "EUR" => Some(Self::EUR),
            _ => None,
        }
    }
}

/// An amount in minor units (centavos for BRL) with its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Money {
    /// Minor units: `1990` is R$ 19,90.
    pub amount: i64,
    /// ISO 4217 currency code.
    pub currency: Currency,
}

/// The largest amount a request may give, in minor units (R$ 10 million).
pub const MAX_INPUT_AMOUNT: i64 = 1_000_000_000;

/// Money as requests give it: the [`Money`] shape with `amount` from 0 to [`MAX_INPUT_AMOUNT`]
/// (documentation only: request types hold [`Money`] and validate the range).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MoneyInput {
    /// Minor units, 0 to 1 000 000 000: `1990` is R$ 19,90.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    amount: i64,
    /// ISO 4217 currency code.
    currency: Currency,
}

impl Money {
    /// An amount in minor units.
    pub const fn new(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// An amount in centavos of BRL.
    pub const fn brl(amount: i64) -> Self {
        Self::new(amount, Currency::BRL)
    }

    /// Zero in the given currency.
    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::internal(format!("currency mismatch: {} and {}", self.currency.code(), other.currency.code())))
        }
    }

    /// `self + other`, failing on overflow or a currency mismatch.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::internal("money overflow"))
    }

    /// `self - other`, failing on overflow or a currency mismatch.
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        self.amount
            .checked_sub(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::internal("money overflow"))
    }

    /// `self * quantity`, failing on overflow.
    pub fn checked_mul(self, quantity: i64) -> Result<Money> {
        self.amount
            .checked_mul(quantity)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::internal("money overflow"))
    }

    /// The share given in basis points (1/100 of a percent), rounded half away from zero.
    pub fn percentage_bps(self, bps: i64) -> Money {
        let product = i128::from(self.amount) * i128::from(bps);
        let rounded = (product + product.signum() * 5_000) / 10_000;
        Money::new(i64::try_from(rounded).unwrap_or(i64::MAX), self.currency)
    }

    /// Splits the amount by weights without losing a centavo; the remainder goes to the first parts.
    pub fn allocate(self, weights: &[u32]) -> Vec<Money> {
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if total == 0 {
            return weights.iter().map(|_| Money::zero(self.currency)).collect();
        }
        let mut parts: Vec<i64> = weights
            .iter()
            .map(|w| i64::try_from(i128::from(self.amount) * i128::from(*w) / total).unwrap_or(0))
            .collect();
        let mut remainder = self.amount - parts.iter().sum::<i64>();
        let step = remainder.signum();
        let mut i = 0;
        while remainder != 0 && !parts.is_empty() {
            parts[i % weights.len()] += step;
            remainder -= step;
            i += 1;
        }
        parts.into_iter().map(|amount| Money::new(amount, self.currency)).collect()
    }

    /// Formats for people in pt-BR: `R$ 1.234,56`.
    pub fn format_pt_br(self) -> String {
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        let (units, cents) = (abs / 100, abs % 100);
        let digits = units.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(c);
        }
        let symbol = match self.currency {
            Currency::BRL => "R$",
            Currency::USD => "US$",
            Currency::EUR => "€",
        };
        format!("{sign}{symbol} {grouped},{cents:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact() {
        let a = Money::brl(1990);
        assert_eq!(a.checked_add(Money::brl(10)).ok(), Some(Money::brl(2000)));
        assert_eq!(a.checked_mul(3).ok(), Some(Money::brl(5970)));
        assert!(Money::brl(i64::MAX).checked_add(Money::brl(1)).is_err());
        assert!(a.checked_add(Money::new(1, Currency::USD)).is_err());
    }

    #[test]
    fn percentage_rounds_half_away_from_zero() {
        assert_eq!(Money::brl(1999).percentage_bps(1000).amount, 200); // 199.9 -> 200
        assert_eq!(Money::brl(1005).percentage_bps(5000).amount, 503); // 502.5 -> 503
        assert_eq!(Money::brl(-1005).percentage_bps(5000).amount, -503);
    }

    #[test]
    fn allocate_loses_nothing() {
        let parts = Money::brl(1000).allocate(&[1, 1, 1]);
        assert_eq!(parts.iter().map(|m| m.amount).collect::<Vec<_>>(), vec![334, 333, 333]);
        let parts = Money::brl(-100).allocate(&[1, 2]);
        assert_eq!(parts.iter().map(|m| m.amount).sum::<i64>(), -100);
    }

    #[test]
    fn formats_brazilian_style() {
        assert_eq!(Money::brl(123456).format_pt_br(), "R$ 1.234,56");
        assert_eq!(Money::brl(5).format_pt_br(), "R$ 0,05");
        assert_eq!(Money::brl(-100000000).format_pt_br(), "-R$ 1.000.000,00");
    }

    #[test]
    fn serialises_as_amount_and_currency() {
        let json = serde_json::to_value(Money::brl(1990)).ok();
        assert_eq!(json, Some(serde_json::json!({"amount": 1990, "currency": "BRL"})));
    }
}
