//! Usage end to end: metering at the source, the idempotent flush, the usage report, quota
//! alerts and hard versus soft monthly quotas.

mod alerts;
mod flush;
mod quotas;
mod report;
mod support;
