//! WhatsApp's and Instagram's customer-service window: when a free-form message may go.
//! The dispatcher checks it when a message is queued, and the send job again when it goes.

use balcao_core::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};

use crate::channels::{ChannelKind, ChannelSettings};
use crate::content::Content;
use crate::problems;

/// WhatsApp's and Instagram's customer-service window.
pub const WINDOW: Duration = Duration::hours(24);
/// Instagram's window with the `HUMAN_AGENT` tag.
pub const HUMAN_AGENT_WINDOW: Duration = Duration::days(7);

/// The window rule for a free-form message: `Ok(human_agent)` when it may go (with the
/// Instagram human-agent tag when only that window is open), or the refusal.
pub fn window_rule(
    kind: ChannelKind,
    settings: &ChannelSettings,
    content: &Content,
    last_inbound: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !kind.has_window() || content.is_template() {
        return Ok(false);
    }
    let since = last_inbound.map(|at| now - at);
    if since.is_some_and(|d| d <= WINDOW) {
        return Ok(false);
    }
    if kind == ChannelKind::Instagram
        && settings.human_agent == Some(true)
        && since.is_some_and(|d| d <= HUMAN_AGENT_WINDOW)
    {
        return Ok(true);
    }
    let detail = match kind {
        ChannelKind::Whatsapp => {
            "WhatsApp allows free-form messages only within 24 hours of the contact's last message; \
             outside that customer-service window send an approved template (content.type = template)."
        }
        _ => {
            "Instagram allows messages only within 24 hours of the contact's last message (7 days with \
             the human agent tag, when the channel enables it)."
        }
    };
    Err(Error::Rule {
        code: problems::OUTSIDE_CUSTOMER_SERVICE_WINDOW,
        detail: detail.into(),
        field: Some("content.type".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_templates_and_recent_contacts() {
        let now = Utc::now();
        let text = Content::Text { text: "Oi".into(), preview_url: false };
        let template = Content::Template {
            name: "pedido".into(),
            language: "pt_BR".into(),
            header: vec![],
            body: vec![],
            buttons: vec![],
        };
        let s = ChannelSettings::default();
        assert!(window_rule(ChannelKind::Whatsapp, &s, &text, Some(now - Duration::hours(2)), now).is_ok());
        assert!(window_rule(ChannelKind::Whatsapp, &s, &text, Some(now - Duration::hours(25)), now).is_err());
        assert!(window_rule(ChannelKind::Whatsapp, &s, &text, None, now).is_err());
        assert!(window_rule(ChannelKind::Whatsapp, &s, &template, None, now).is_ok());
        assert!(window_rule(ChannelKind::Sms, &s, &text, None, now).is_ok());
        let agent = ChannelSettings { human_agent: Some(true), ..ChannelSettings::default() };
        assert_eq!(
            window_rule(ChannelKind::Instagram, &agent, &text, Some(now - Duration::days(3)), now).ok(),
            Some(true)
        );
        assert!(window_rule(ChannelKind::Instagram, &s, &text, Some(now - Duration::days(3)), now).is_err());
    }
}
