//! Messages: the dispatcher that queues them, the job that sends them, status reports.

pub mod dispatcher;
#[cfg(feature = "http")]
pub mod http;
pub mod job;
pub mod model;
pub mod service;
pub mod status;
pub mod window;

pub use dispatcher::{MessageDispatcher, PgDispatcher};
pub use job::{SEND_JOB, SendJob};
pub use model::*;
pub use service::MessageService;
