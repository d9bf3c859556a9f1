//! Real preference matrices shipped with the engine (`data/presets`), with provenance.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::OnceLock;

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

/// Key and K of every shipped preset, known without reading its file, so that the URL
/// codec and the first view need no preset data (the tests check them against the files).
pub const PRESET_INDEX: [(&str, usize); 9] = [
    ("chatbot_arena_2023may_5", 5),
    ("qlora_vicuna80_human_8", 8),
    ("llmfao_crowd_9", 9),
    ("bt2_cems_schools", 6),
    ("bt2_sound_fields_flute", 8),
    ("bt2_sound_fields_cello", 8),
    ("bt2_baseball_1987", 7),
    ("bt2_citations", 4),
    ("bt2_springall_flavour", 9),
];

/// Keys of the shipped presets.
pub fn preset_keys() -> impl Iterator<Item = &'static str> {
    PRESET_INDEX.iter().map(|(k, _)| *k)
}

/// K of a shipped preset, without reading it.
pub fn preset_k(key: &str) -> Option<usize> {
    PRESET_INDEX
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| *n)
}

/// The name a menu shows for a shipped preset (its key), without reading it.
pub fn preset_title(key: &str) -> Option<&'static str> {
    PRESET_INDEX
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(k, _)| *k)
}

/// The presets read so far, each parsed once, when it is first used.
static PARSED: [OnceLock<Option<Preset>>; 9] = [const { OnceLock::new() }; 9];

/// A shipped preset by key, read from its file the first time it is asked for.
pub fn preset(key: &str) -> Option<&'static Preset> {
    let i = PRESET_FILES.iter().position(|(k, _)| *k == key)?;
    PARSED
        .get(i)?
        .get_or_init(|| serde_json::from_str(PRESET_FILES[i].1).ok())
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index (key, K) is the files', in the same order, and every file reads.
    #[test]
    fn the_index_matches_the_files() {
        assert_eq!(PRESET_INDEX.len(), PRESET_FILES.len());
        for ((key, k), (file, _)) in PRESET_INDEX.iter().zip(&PRESET_FILES) {
            assert_eq!(key, file);
            let p = preset(key).map(|p| (p.name.clone(), p.items.len()));
            assert_eq!(p, Some((key.to_string(), *k)), "{key}");
            assert_eq!(preset_title(key), Some(*key));
            assert_eq!(preset_k(key), Some(*k));
        }
        assert_eq!(preset("nope").map(|p| p.name.clone()), None);
    }
}
