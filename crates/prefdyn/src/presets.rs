//! Real preference matrices shipped with the engine (`data/presets`), with provenance.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::preference::PreferenceMatrix;

/// One real-data preset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Preset {
    pub name: String,
    pub items: Vec<String>,
    #[serde(rename = "P")]
    pub p: Vec<Vec<f64>>,
    pub source: Value,
    pub licence: String,
    pub derivation: Value,
    #[serde(default)]
    pub caveats: Value,
}

impl Preset {
    /// The validated matrix, labelled with the items.
    pub fn matrix(&self) -> Result<PreferenceMatrix, crate::PreferenceError> {
        PreferenceMatrix::from_rows(&self.p)?.with_labels(self.items.clone())
    }

    /// One line of attribution: source repository or description, and licence.
    pub fn attribution(&self) -> String {
        let src = match &self.source {
            Value::Object(o) => o
                .get("repo")
                .or_else(|| o.get("package"))
                .or_else(|| o.get("description"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            Value::String(s) => s.clone(),
            _ => String::new(),
        };
        let licence = self.licence.split(['.', ';']).next().unwrap_or("").trim();
        format!("{src} ({licence})")
    }

    /// Caveats as plain text.
    pub fn caveats_text(&self) -> String {
        match &self.caveats {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

/// `(key, JSON)` of every shipped preset.
pub const PRESET_FILES: [(&str, &str); 9] = [
    (
        "chatbot_arena_2023may_5",
        include_str!("../data/presets/chatbot_arena_2023may_5.json"),
    ),
    (
        "qlora_vicuna80_human_8",
        include_str!("../data/presets/qlora_vicuna80_human_8.json"),
    ),
    (
        "llmfao_crowd_9",
        include_str!("../data/presets/llmfao_crowd_9.json"),
    ),
    (
        "bt2_cems_schools",
        include_str!("../data/presets/bt2_cems_schools.json"),
    ),
    (
        "bt2_sound_fields_flute",
        include_str!("../data/presets/bt2_sound_fields_flute.json"),
    ),
    (
        "bt2_sound_fields_cello",
        include_str!("../data/presets/bt2_sound_fields_cello.json"),
    ),
    (
        "bt2_baseball_1987",
        include_str!("../data/presets/bt2_baseball_1987.json"),
    ),
    (
        "bt2_citations",
        include_str!("../data/presets/bt2_citations.json"),
    ),
    (
        "bt2_springall_flavour",
        include_str!("../data/presets/bt2_springall_flavour.json"),
    ),
];

/// Keys of the shipped presets.
pub fn preset_keys() -> impl Iterator<Item = &'static str> {
    PRESET_FILES.iter().map(|(k, _)| *k)
}

/// Loads a shipped preset by key.
pub fn preset(key: &str) -> Option<Preset> {
    PRESET_FILES
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, json)| serde_json::from_str(json).ok())
}
