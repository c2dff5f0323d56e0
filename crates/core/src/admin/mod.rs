//! The platform's own administration: operators (granted from the command line only) and what
//! they may do (edit plans, move a store to another plan).

pub mod operators;
pub mod plans;

pub use operators::{Granted, grant, is_operator, revoke};
pub use plans::{SetStorePlan, UpdatePlan, set_store_plan, update_plan};
