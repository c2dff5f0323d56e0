//! Plans and platform operators for the suites: moving a test store to another plan (for suites
//! that create more than `free` allows) and making a user an operator.

use balcao_core::admin::{SetStorePlan, set_store_plan};
use balcao_gateway::admin::{AdminCommand, run};
use reqwest::StatusCode;
use serde_json::json;

use crate::TestApp;

impl TestApp {
    /// Puts `store_id` on `plan` (`"pro"`, `"enterprise"`), as an operator's change would.
    pub async fn set_plan(&self, store_id: &str, plan: &str) {
        let store = store_id.parse().expect("a store id");
        let req = SetStorePlan { plan: Some(plan.to_owned()) };
        set_store_plan(&self.core, store, req).await.expect("the store's plan changes");
    }

    /// Turns TOTP on for the user of the session `token` through the API, as a person would.
    pub async fn enable_totp(&self, token: &str) {
        let (status, enrolment) = self.post("/v1/me/totp", token, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{enrolment}");
        let encoded = enrolment["secret"].as_str().expect("a secret").to_owned();
        let secret = totp_rs::Secret::Encoded(encoded).to_bytes().expect("a base32 secret");
        let now = u64::try_from(chrono::Utc::now().timestamp()).expect("after 1970");
        let code = balcao_core::identity::totp::code_at(&secret, now).expect("a code");
        let (status, confirmed) = self.post("/v1/me/totp/confirm", token, json!({"code": code})).await;
        assert_eq!(status, StatusCode::OK, "{confirmed}");
    }

    /// Makes the user of the session `token` a platform operator with TOTP on: granted through
    /// the function `balcao admin grant` runs.
    pub async fn make_operator(&self, token: &str) {
        let (status, me) = self.get("/v1/me", token).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        let email = me["email"].as_str().expect("an email").to_owned();
        let granted = run(&self.core, &AdminCommand::Grant { email }).await;
        assert!(granted.as_deref().is_ok_and(|line| line.contains("TOTP")), "{granted:?}");
        self.enable_totp(token).await;
    }
}
