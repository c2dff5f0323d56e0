//! EFI's wire shapes of charges, received PIX and their refunds, read into [`super::model`].

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::model::{AmountError, Cob, Devolucao, PixDirection, PixPayment, lenient_u64, parse_amount};

#[derive(Deserialize)]
pub(crate) struct WireCob {
    txid: String,
    status: String,
    revisao: Option<u32>,
    calendario: Option<WireCalendario>,
    valor: WireValor,
    chave: Option<String>,
    location: Option<String>,
    #[serde(rename = "pixCopiaECola")]
    pix_copia_e_cola: Option<String>,
    #[serde(rename = "solicitacaoPagador")]
    solicitacao_pagador: Option<String>,
    #[serde(default)]
    pix: Vec<WirePix>,
}

#[derive(Deserialize)]
struct WireCalendario {
    criacao: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_u64")]
    expiracao: Option<u64>,
}

#[derive(Deserialize)]
struct WireValor {
    original: String,
}

impl WireCob {
    pub(crate) fn into_model(self) -> Result<Cob, AmountError> {
        let (created_at, expires_in_secs) = self.calendario.map_or((None, None), |c| (c.criacao, c.expiracao));
        Ok(Cob {
            txid: self.txid,
            status: self.status.into(),
            revision: self.revisao,
            created_at,
            expires_in_secs,
            amount_cents: parse_amount(&self.valor.original)?,
            pix_key: self.chave,
            location: self.location,
            pix_copia_e_cola: self.pix_copia_e_cola,
            payer_message: self.solicitacao_pagador,
            payments: self.pix.into_iter().map(WirePix::into_model).collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct WirePix {
    #[serde(rename = "endToEndId")]
    end_to_end_id: String,
    txid: Option<String>,
    chave: Option<String>,
    valor: String,
    horario: DateTime<Utc>,
    #[serde(rename = "infoPagador")]
    info_pagador: Option<String>,
    tipo: Option<String>,
    status: Option<String>,
    #[serde(rename = "gnExtras")]
    gn_extras: Option<WireGnExtras>,
    #[serde(default)]
    devolucoes: Vec<WireDevolucao>,
}

#[derive(Deserialize)]
struct WireGnExtras {
    tarifa: Option<String>,
    #[serde(rename = "idEnvio")]
    id_envio: Option<String>,
}

impl WirePix {
    pub(crate) fn into_model(self) -> Result<PixPayment, AmountError> {
        let (fee, send_id) = self.gn_extras.map_or((None, None), |g| (g.tarifa, g.id_envio));
        let direction = match (self.tipo, self.status) {
            (None, None) => PixDirection::Received,
            (_, status) => PixDirection::Sent { status: status.unwrap_or_default(), send_id },
        };
        Ok(PixPayment {
            end_to_end_id: self.end_to_end_id,
            txid: self.txid.filter(|t| !t.is_empty()),
            pix_key: self.chave,
            amount_cents: parse_amount(&self.valor)?,
            paid_at: self.horario,
            payer_info: self.info_pagador,
            fee_cents: fee.as_deref().map(parse_amount).transpose()?,
            direction,
            refunds: self.devolucoes.into_iter().map(WireDevolucao::into_model).collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct WireDevolucao {
    id: String,
    #[serde(rename = "rtrId")]
    rtr_id: Option<String>,
    valor: String,
    horario: Option<WireHorario>,
    status: String,
    motivo: Option<String>,
}

#[derive(Deserialize)]
struct WireHorario {
    solicitacao: Option<DateTime<Utc>>,
    liquidacao: Option<DateTime<Utc>>,
}

impl WireDevolucao {
    pub(crate) fn into_model(self) -> Result<Devolucao, AmountError> {
        let (requested_at, settled_at) = self.horario.map_or((None, None), |h| (h.solicitacao, h.liquidacao));
        Ok(Devolucao {
            id: self.id,
            rtr_id: self.rtr_id,
            amount_cents: parse_amount(&self.valor)?,
            requested_at,
            settled_at,
            status: self.status.into(),
            reason: self.motivo,
        })
    }
}
