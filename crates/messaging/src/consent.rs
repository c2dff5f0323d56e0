//! The suppression list: contacts who opted out of marketing on a channel kind, by keyword
//! (PARE, SAIR, STOP, CANCELAR and the channel's own), one-click unsubscribe or staff.

use balcao_core::error::Result;
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::channels::ChannelKind;
use crate::schema::suppressions as s;

/// Keywords that opt a contact out on any channel.
pub const OPT_OUT_KEYWORDS: [&str; 4] = ["PARE", "SAIR", "STOP", "CANCELAR"];

/// Whether `text` is an opt-out: the whole message is a keyword, ignoring case, accents of
/// the usual kind, spaces and trailing punctuation.
pub fn is_opt_out(text: &str, extra: &[String]) -> bool {
    let word: String = text
        .trim()
        .trim_end_matches(['.', '!', '?'])
        .trim()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'Á' | 'À' | 'Â' | 'Ã' => 'A',
            'é' | 'ê' | 'É' | 'Ê' => 'E',
            'í' | 'Í' => 'I',
            'ó' | 'ô' | 'õ' | 'Ó' | 'Ô' | 'Õ' => 'O',
            'ú' | 'Ú' => 'U',
            'ç' | 'Ç' => 'C',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    !word.is_empty()
        && (OPT_OUT_KEYWORDS.contains(&word.as_str()) || extra.iter().any(|k| k.trim().eq_ignore_ascii_case(&word)))
}

/// Whether `contact` opted out of marketing on `kind`.
pub async fn is_suppressed(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    kind: ChannelKind,
    contact: &str,
) -> Result<bool> {
    let found: Option<String> = s::table
        .filter(s::store_id.eq(store.uuid()))
        .filter(s::kind.eq(kind.as_str()))
        .filter(s::contact.eq(contact))
        .select(s::contact)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// Records an opt-out (idempotent); answers whether it is new.
pub async fn suppress(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    kind: ChannelKind,
    contact: &str,
    source: &str,
) -> Result<bool> {
    let inserted = diesel::insert_into(s::table)
        .values((
            s::store_id.eq(store.uuid()),
            s::kind.eq(kind.as_str()),
            s::contact.eq(contact),
            s::source.eq(source),
            s::created_at.eq(Utc::now()),
        ))
        .on_conflict((s::store_id, s::kind, s::contact))
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_messages_only() {
        for yes in ["PARE", "pare", " Sair! ", "stop.", "Cancelar"] {
            assert!(is_opt_out(yes, &[]), "{yes}");
        }
        for no in ["", "pare de me mandar isso", "parede", "obrigado"] {
            assert!(!is_opt_out(no, &[]), "{no}");
        }
        assert!(is_opt_out("descadastrar", &["DESCADASTRAR".into()]));
    }
}
