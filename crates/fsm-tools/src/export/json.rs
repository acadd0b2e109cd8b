//! The JSON export: the checked model as `serde` serializes it, wrapped
//! with the version of this format.

use super::ExportError;
use fsm_core::Model;

/// The version of the JSON export's layout; it changes whenever the
/// serialized `Model` changes shape.
pub const FORMAT_VERSION: u32 = 1;

/// The model as pretty-printed JSON:
/// `{ "format": "fsm-model", "version": 1, "model": { … } }`.
pub fn json(model: &Model) -> Result<String, ExportError> {
    let value = serde_json::json!({
        "format": "fsm-model",
        "version": FORMAT_VERSION,
        "model": model,
    });
    serde_json::to_string_pretty(&value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| ExportError::new(format!("cannot serialize the model: {e}")))
}
