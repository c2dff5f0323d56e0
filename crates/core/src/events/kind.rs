//! Event types as declarations: each area declares the types it emits (name, meaning, payload
//! type and an example payload) next to the code that emits them. [`super::emit`] takes a
//! declaration, never a string, so an event that is emitted is always declared; the webhook
//! catalog is the concatenation of every area's declarations.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// A declared event type whose payload is a `T`.
pub struct EventKind<T> {
    name: &'static str,
    description: &'static str,
    example: fn() -> Value,
    payload: PhantomData<fn() -> T>,
}

impl<T> EventKind<T> {
    /// Declares the type `name` (such as `order.paid`), emitted when `description` says, with
    /// `example` building a payload like a real one (checked against `T` by [`Self::describe`]).
    pub const fn new(name: &'static str, description: &'static str, example: fn() -> Value) -> Self {
        Self { name, description, example, payload: PhantomData }
    }

    /// The event type, as written in the outbox and in the envelope's `type`.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<T: ToSchema + Serialize + DeserializeOwned> EventKind<T> {
    /// The catalog entry: name, meaning, the payload's JSON schema and the example, which must
    /// be a real `T` (it is read as one and written back, so it has exactly `T`'s shape).
    pub fn describe(&self) -> Result<EventType, String> {
        let example: T = serde_json::from_value((self.example)())
            .map_err(|e| format!("the example of {} is not its payload: {e}", self.name))?;
        Ok(EventType {
            name: self.name.to_owned(),
            description: self.description.to_owned(),
            schema: schema_of::<T>(),
            example: serde_json::to_value(example).map_err(|e| format!("{}: {e}", self.name))?,
        })
    }
}

/// One event type: its name, what it means, its payload's JSON schema and an example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventType {
    /// The event type, such as `order.paid`.
    #[serde(rename = "type")]
    #[schema(example = "order.paid")]
    pub name: String,
    /// When it is emitted.
    pub description: String,
    /// The JSON schema of `data` in the event envelope.
    #[schema(value_type = Object)]
    pub schema: Value,
    /// An example `data`.
    #[schema(value_type = Object)]
    pub example: Value,
}

/// The JSON schema of `T`, with the schemas it references embedded under its own
/// `components.schemas`, so its `#/components/schemas/...` references resolve within it.
pub fn schema_of<T: ToSchema>() -> Value {
    let mut schema = serde_json::to_value(T::schema()).unwrap_or_else(|_| json!({}));
    let mut deps = Vec::new();
    T::schemas(&mut deps);
    let components: Map<String, Value> =
        deps.into_iter().filter_map(|(name, s)| serde_json::to_value(s).ok().map(|v| (name, v))).collect();
    if !components.is_empty()
        && let Some(object) = schema.as_object_mut()
    {
        object.insert("components".to_owned(), json!({ "schemas": components }));
    }
    schema
}
