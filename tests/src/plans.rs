//! Moving a test store to another plan, for suites that create more than `free` allows.

use balcao_core::admin::{SetStorePlan, set_store_plan};

use crate::TestApp;

impl TestApp {
    /// Puts `store_id` on `plan` (`"pro"`, `"enterprise"`), as an operator's change would.
    pub async fn set_plan(&self, store_id: &str, plan: &str) {
        let store = store_id.parse().expect("a store id");
        set_store_plan(&self.core, store, SetStorePlan { plan: plan.to_owned() })
            .await
            .expect("the store's plan changes");
    }
}
