//! Permissions and the built-in roles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A fine-grained permission inside a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Permission {
    /// Read the store's settings.
    #[serde(rename = "store:read")]
    StoreRead,
    /// Change the store's settings.
    #[serde(rename = "store:write")]
    StoreWrite,
    /// Delete the store.
    #[serde(rename = "store:delete")]
    StoreDelete,
    /// List members and roles.
    #[serde(rename = "members:read")]
    MembersRead,
    /// Add, change and remove members and custom roles.
    #[serde(rename = "members:manage")]
    MembersManage,
    /// Create, list and revoke API keys.
    #[serde(rename = "api_keys:manage")]
    ApiKeysManage,
    /// Read the catalog.
    #[serde(rename = "catalog:read")]
    CatalogRead,
    /// Change the catalog and inventory.
    #[serde(rename = "catalog:write")]
    CatalogWrite,
    /// Read customers.
    #[serde(rename = "customers:read")]
    CustomersRead,
    /// Change customers.
    #[serde(rename = "customers:write")]
    CustomersWrite,
    /// Read orders.
    #[serde(rename = "orders:read")]
    OrdersRead,
    /// Change orders.
    #[serde(rename = "orders:write")]
    OrdersWrite,
    /// Read payments.
    #[serde(rename = "payments:read")]
    PaymentsRead,
    /// Refund payments.
    #[serde(rename = "payments:refund")]
    PaymentsRefund,
    /// Read messages and conversations.
    #[serde(rename = "messages:read")]
    MessagesRead,
    /// Send messages.
    #[serde(rename = "messages:send")]
    MessagesSend,
    /// Manage messaging channels and their credentials, and message templates.
    #[serde(rename = "channels:manage")]
    ChannelsManage,
    /// Manage webhook endpoints.
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    /// Manage automations and campaigns.
    #[serde(rename = "automation:manage")]
    AutomationManage,
    /// Read the audit trail.
    #[serde(rename = "audit:read")]
    AuditRead,
}

use Permission::*;

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 20] = [
        StoreRead,
        StoreWrite,
        StoreDelete,
        MembersRead,
        MembersManage,
        ApiKeysManage,
        CatalogRead,
        CatalogWrite,
        CustomersRead,
        CustomersWrite,
        OrdersRead,
        OrdersWrite,
        PaymentsRead,
        PaymentsRefund,
        MessagesRead,
        MessagesSend,
        ChannelsManage,
        WebhooksManage,
        AutomationManage,
        AuditRead,
    ];

    /// The wire name, such as `catalog:write`.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreRead => "store:read",
            StoreWrite => "store:write",
            StoreDelete => "store:delete",
            MembersRead => "members:read",
            MembersManage => "members:manage",
            ApiKeysManage => "api_keys:manage",
            CatalogRead => "catalog:read",
            CatalogWrite => "catalog:write",
            CustomersRead => "customers:read",
            CustomersWrite => "customers:write",
            OrdersRead => "orders:read",
            OrdersWrite => "orders:write",
            PaymentsRead => "payments:read",
            PaymentsRefund => "payments:refund",
            MessagesRead => "messages:read",
            MessagesSend => "messages:send",
            ChannelsManage => "channels:manage",
            WebhooksManage => "webhooks:manage",
            AutomationManage => "automation:manage",
            AuditRead => "audit:read",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// A built-in role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    /// Everything, including deleting the store and managing owners.
    Owner,
    /// Everything but deleting the store and managing owners.
    Admin,
    /// Day-to-day work: catalog, customers, orders, messages.
    Staff,
    /// Read-only.
    Viewer,
}

impl BuiltinRole {
    /// The role's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Staff => "staff",
            Self::Viewer => "viewer",
        }
    }

    /// Parses a role name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Owner, Self::Admin, Self::Staff, Self::Viewer].into_iter().find(|r| r.as_str() == name)
    }

    /// The permissions the role grants.
    pub fn permissions(self) -> Vec<Permission> {
        match self {
            Self::Owner => Permission::ALL.to_vec(),
            Self::Admin => Permission::ALL.into_iter().filter(|p| *p != StoreDelete).collect(),
            Self::Staff => vec![
                StoreRead,
                MembersRead,
                CatalogRead,
                CatalogWrite,
                CustomersRead,
                CustomersWrite,
                OrdersRead,
                OrdersWrite,
                PaymentsRead,
                MessagesRead,
                MessagesSend,
            ],
            Self::Viewer => {
                vec![StoreRead, MembersRead, CatalogRead, CustomersRead, OrdersRead, PaymentsRead, MessagesRead]
            }
        }
    }
}

/// Parses permission names, reporting the first unknown one with its index.
pub fn parse_list(names: &[String], field: &str) -> crate::error::Result<Vec<Permission>> {
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let Some(p) = Permission::parse(name) else {
            return Err(crate::error::Error::field(
                format!("{field}[{i}]"),
                "unknown_permission",
                format!("`{name}` is not a permission"),
            ));
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), serde_json::json!(p.as_str()));
        }
    }

    #[test]
    fn viewer_cannot_write() {
        let viewer = BuiltinRole::Viewer.permissions();
        assert!(viewer.iter().all(|p| p.as_str().ends_with(":read")));
        assert!(!BuiltinRole::Admin.permissions().contains(&StoreDelete));
    }

    #[test]
    fn unknown_permission_names_its_index() {
        let err = parse_list(&["catalog:read".into(), "fly".into()], "permissions").unwrap_err();
        assert_eq!(err.problem().errors[0].field, "permissions[1]");
    }
}
