//! The problem codes balcao-payments answers, each with its status and meaning. Codes shared
//! with other crates (`idempotency_key_required`, `idempotency_key_reused`, `invalid_transition`)
//! are core's.

balcao_core::error_codes! {
    /// The order is cancelled, paid, or otherwise not awaiting payment.
    ORDER_NOT_PAYABLE = ("order_not_payable", 422);
    /// The order's total is zero: there is nothing to pay.
    NOTHING_TO_PAY = ("nothing_to_pay", 422);
    /// Another payment of the order is still being created; retry shortly.
    PAYMENT_IN_PROGRESS = ("payment_in_progress", 409);
    /// The payment provider refused the charge or the refund; `detail` says why.
    PROVIDER_REFUSED = ("provider_refused", 422);
    /// The payment has not been captured, so nothing can be refunded.
    PAYMENT_NOT_CAPTURED = ("payment_not_captured", 422);
    /// The refund is larger than what remains captured.
    REFUND_EXCEEDS_CAPTURED = ("refund_exceeds_captured", 422);
    /// Only payments through the sandbox provider simulate outcomes.
    NOT_A_SANDBOX_PAYMENT = ("not_a_sandbox_payment", 422);
}
