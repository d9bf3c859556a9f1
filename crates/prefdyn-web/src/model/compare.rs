//! The variants of a comparison beside the base run: each computed as its own link
//! computes it, kept while its configuration stays the same.

use prefdyn::config::{edit_variant, remove_variant, Config, MAX_VARIANTS};
use prefdyn::report::RunReport;
use prefdyn::PreferenceMatrix;

use super::{App, Changed};

/// A variant of the comparison: its configuration, its report and its matrix.
pub struct VariantRun {
    pub config: Config,
    pub report: RunReport,
    pub matrix: PreferenceMatrix,
}

impl App {
    /// Computes the variants whose configuration changed (the others are kept).
    pub(super) fn compute_variants(&mut self) {
        let runs = self.config.runs();
        let mut old = std::mem::take(&mut self.variants);
        self.variants = runs
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| {
                let title = self.config.run_title(i);
                match old.iter().position(|v| v.config == *c) {
                    Some(j) => {
                        let mut v = old.swap_remove(j);
                        v.report.title = title;
                        v
                    }
                    None => {
                        let (report, matrix) = RunReport::compute(&self.config, i, c);
                        VariantRun {
                            config: c.clone(),
                            report,
                            matrix,
                        }
                    }
                }
            })
            .collect();
    }

    /// Whether another variant may be added (one draft at a time, at most
    /// [`MAX_VARIANTS`]).
    pub fn can_add_variant(&self) -> bool {
        !self.draft_variant && self.config.variants.len() < MAX_VARIANTS
    }

    /// "+ compare": a copy of the base, shown until a control changes it.
    pub(super) fn add_variant(&mut self) -> Changed {
        if !self.can_add_variant() {
            return Changed::default();
        }
        self.draft_variant = true;
        Changed {
            compare: true,
            ..Changed::default()
        }
    }

    /// A typed edit of variant `i`'s field (`i` = the number of variants: the draft).
    pub(super) fn edit_variant(&mut self, i: usize, key: &str, raw: &str) {
        let field = format!("{key}.{}", i + prefdyn::config::FIRST_VARIANT);
        let before = self.config.variants.len();
        let issues = edit_variant(&mut self.config, i, key, raw);
        if i == before && self.config.variants.len() > before {
            self.draft_variant = false;
        }
        self.issues.retain(|x| x.field != field);
        self.issues.extend(issues);
    }

    /// Removes variant `i` (the draft when `i` is past the last).
    pub(super) fn remove_variant(&mut self, i: usize) -> Changed {
        if i < self.config.variants.len() {
            remove_variant(&mut self.config, i);
            self.config = self.config.canonical();
        } else {
            self.draft_variant = false;
        }
        Changed {
            compare: true,
            ..Changed::default()
        }
    }
}

impl App {
    /// Whether the link compares runs.
    pub fn has_variants(&self) -> bool {
        !self.config.variants.is_empty()
    }
}
