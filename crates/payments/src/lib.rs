//! balcao-payments: PIX, boleto and card payments through providers, with refunds, splits and reconciliation.
//!
//! | module | what it holds |
//! |---|---|
//! | [`payments`] | payments of orders: model, service, creation in phases, settlement, events |
//! | [`problems`] | the problem codes payments answers, with their status and meaning |
//! | [`payments::model`] | payments, their state machine and API types |
//! | `payments::model::tests` | tests of the payment state machine |
//! | [`payments::service`] | `PaymentService` and its PostgreSQL implementation |
//! | [`payments::create`] | creating a payment: replay, reserve, charge, record |
//! | [`payments::settle`] | confirmation, failure and expiry, each with its event and the order's move |
//! | [`payments::rows`] | reading and locking payment rows |
//! | [`payments::events`] | the event types payments emit (`payment.confirmed`, `payment.failed`) |
//! | `payments::http` | the staff payment routes (feature `http`) |
//! | [`refunds`] | refunds that never exceed what was captured |
//! | [`refunds::model`] | the refund row and its request |
//! | [`refunds::service`] | refunding in phases: replay, reserve, the provider's call, record |
//! | `refunds::http` | the refund routes (feature `http`) |
//! | [`splits`] | split rules per store, each payment's shares and their transfers |
//! | [`splits::model`] | the rules, their validation, the shares they give, the split job's payload |
//! | `splits::model::tests` | tests of split rules and shares |
//! | [`splits::service`] | `SplitService`: the rules and each payment's shares in PostgreSQL |
//! | [`splits::job`] | applying a paid payment's shares (`payments.splits`) |
//! | `splits::http` | the split rule and share routes (feature `http`) |
//! | [`accounts`] | a store's provider accounts, credentials sealed |
//! | [`accounts::model`] | the account as staff see and set it, what each provider needs |
//! | [`accounts::service`] | `PaymentAccountService`: accounts in PostgreSQL, opened for the providers |
//! | `accounts::http` | the account routes (feature `http`) |
//! | [`jobs`] | reconciliation and expiry at a charge's deadline |
//! | [`jobs::schedule`] | the jobs' kinds, payload, intervals and queuing |
//! | `jobs::schedule::tests` | tests of the reconciliation intervals |
//! | [`jobs::check`] | asking the provider and settling as it reports |
//! | [`jobs::expire`] | `payments.expire` |
//! | [`jobs::reconcile`] | `payments.reconcile` |
//! | [`storefront`] | payments shoppers start at checkout (`CheckoutPayments`) |
//! | `storefront::http` | the storefront payment routes (feature `http`) |
//! | [`providers`] | the provider seam: trait, registry, charges, remote states |
//! | [`providers::cache`] | provider clients kept per account |
//! | [`providers::inbound`] | verified provider notifications handed to each provider |
//! | [`providers::sandbox`] | the sandbox provider |
//! | [`providers::efi`] | EFI: PIX and billing API clients, errors |
//! | [`providers::efi::account`] | an EFI account's configurations and clients |
//! | [`providers::efi::adapter`] | EFI behind the seam (PIX charges, dispatch to boletos) |
//! | `providers::efi::adapter_boleto` | EFI boletos behind the seam |
//! | `providers::efi::adapter_boleto::tests` | tests of EFI boletos behind the seam |
//! | `providers::efi::auth` | the OAuth2 token both EFI clients share |
//! | [`providers::efi::billing`] | the billing API client |
//! | [`providers::efi::billing_model`] | the billing API's requests and answers |
//! | `providers::efi::billing::tests` | tests of the billing client |
//! | [`providers::efi::client`] | the PIX API client |
//! | [`providers::efi::model`] | charges, refunds and PIX in centavos |
//! | [`providers::efi::notify`] | EFI's PIX webhook and billing notifications settled |
//! | `providers::efi::notify::tests` | tests of billing notifications |
//! | [`providers::efi::split`] | PIX split configurations |
//! | `providers::efi::split::tests` | tests of PIX split configurations |
//! | `providers::efi::transport` | reading answers, errors without secrets |
//! | [`providers::efi::webhook`] | EFI's PIX webhook body |
//! | `providers::efi::webhook::tests` | tests of EFI's PIX webhook body |
//! | `providers::efi::wire` | EFI's wire shapes of charges, PIX and refunds |
//! | [`providers::stripe`] | Stripe: configuration, errors |
//! | `providers::stripe::tests` | tests of Stripe's error classification |
//! | [`providers::stripe::adapter`] | Stripe behind the seam |
//! | [`providers::stripe::client`] | the Stripe REST client |
//! | `providers::stripe::client::tests` | tests of the Stripe client |
//! | [`providers::stripe::notify`] | Stripe's PaymentIntent events settled |
//! | [`providers::stripe::webhook`] | Stripe event bodies |
//! | `providers::stripe::webhook::tests` | tests of Stripe event bodies |
//! | [`providers::pagbank`] | PagBank: errors |
//! | [`providers::pagbank::adapter`] | PagBank behind the seam |
//! | [`providers::pagbank::client`] | the PagBank REST client |
//! | `providers::pagbank::client::tests` | tests of the PagBank client |
//! | [`providers::pagbank::model`] | PagBank's orders |
//! | [`providers::pagbank::notify`] | PagBank's notifications settled |
//! | `providers::pagbank::notify::tests` | tests of PagBank's notifications |
//! | [`br`] | Brazilian payment formats |
//! | [`br::boleto`] | boleto barcodes and linhas digitáveis |
//! | `br::boleto::tests` | tests of boletos |
//! | [`br::pix`] | PIX |
//! | [`br::pix::brcode`] | BR Code encoding and parsing |
//! | `br::pix::brcode::tests` | tests of BR Codes |
//! | [`br::pix::qr`] | QR code images |
//! | `br::pix::qr::tests` | tests of QR code images |
//! | [`schema`] | the diesel schema of payments' tables |
//! | `http` | `Services` and `configure`, the routes under `/v1` (feature `http`) |
//!
//! The crate stands on `balcao-core` for ids, errors, the database, events and jobs, and moves
//! orders through `balcao_stores::orders::ledger`.

pub mod accounts;
pub mod br;
#[cfg(feature = "http")]
pub mod http;
pub mod jobs;
pub mod payments;
pub mod problems;
pub mod providers;
pub mod refunds;
pub mod schema;
pub mod splits;
pub mod storefront;

pub use payments::events::event_types;
