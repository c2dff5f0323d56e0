//! Field checks shared by the request bodies ([`super::input`]) and the zone rules
//! ([`super::validate`]): required fields, CEPs, coordinates.

use balcao_core::error::{FieldError, Validator};

use super::model::Coordinates;
use crate::br::{Cep, parse_cep};

/// Records a `required` error; always `None`.
pub(crate) fn required<T>(v: &mut Validator, field: &str, message: &str) -> Option<T> {
    v.push(FieldError::new(field, "required", message));
    None
}

/// Parses a CEP, recording the [`CepError`](crate::br::CepError) code on `field`.
pub(crate) fn cep(v: &mut Validator, field: &str, raw: &str) -> Option<Cep> {
    parse_cep(raw).map_err(|e| v.push(FieldError::new(field, e.code(), e.to_string()))).ok()
}

/// Checks latitude and longitude ranges as `{prefix}lat` and `{prefix}lng`.
pub(crate) fn check_coordinates(v: &mut Validator, prefix: &str, point: &Coordinates) {
    let lat_ok = point.lat.is_finite() && (-90.0..=90.0).contains(&point.lat);
    let lng_ok = point.lng.is_finite() && (-180.0..=180.0).contains(&point.lng);
    v.check(lat_ok, &format!("{prefix}lat"), "out_of_range", "must be between -90 and 90");
    v.check(lng_ok, &format!("{prefix}lng"), "out_of_range", "must be between -180 and 180");
}
