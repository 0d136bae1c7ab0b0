//! The Detections panel's state: how many hits each detection of the engine's pack had on the
//! loaded data, which detections the user switched off, and the panel's lists (hits by
//! severity, most severe first). The detections themselves (titles, queries) are the engine's
//! (`trailscope_engine::detect::catalogue`); the page only counts and shows.

use std::collections::BTreeSet;

use trailscope_engine::detect::{self, Detection, Severity};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detections {
    /// Hits per detection id, from the last run (detections without hits included).
    pub hits: Vec<(String, usize)>,
    /// Detections whose query failed, with the reason.
    pub failed: Vec<(String, String)>,
    /// Ids switched off: not run, not listed with the hits.
    pub off: BTreeSet<String>,
    /// A run is on its way.
    pub running: bool,
    /// At least one run finished since the data was loaded.
    pub ran: bool,
    pub elapsed_ms: f64,
}

/// One severity's detections with hits, most hits first.
pub type Group = (Severity, Vec<(&'static Detection, usize)>);

impl Detections {
    pub fn with_off(off: BTreeSet<String>) -> Detections {
        Detections {
            off,
            ..Detections::default()
        }
    }

    /// The ids not to run (`Request::Detect`).
    pub fn off_list(&self) -> Vec<String> {
        self.off.iter().cloned().collect()
    }

    pub fn start(&mut self) {
        self.running = true;
    }

    pub fn finish(&mut self, hits: Vec<(String, usize)>, failed: Vec<(String, String)>, ms: f64) {
        self.hits = hits;
        self.failed = failed;
        self.running = false;
        self.ran = true;
        self.elapsed_ms = ms;
    }

    /// Nothing is loaded any more.
    pub fn clear(&mut self) {
        *self = Detections::with_off(std::mem::take(&mut self.off));
    }

    /// Switches a detection off (or back on). A detection switched on again shows its hits at
    /// the next run.
    pub fn toggle(&mut self, id: &str) {
        if !self.off.remove(id) {
            self.off.insert(id.to_string());
            self.hits.retain(|(h, _)| h != id);
        }
    }

    /// The detections with hits, switched-off ones left out, grouped by severity (most severe
    /// first), most hits first within a group.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for sev in Severity::ALL.into_iter().rev() {
            let mut list: Vec<(&'static Detection, usize)> = self
                .hits
                .iter()
                .filter(|(id, n)| *n > 0 && !self.off.contains(id))
                .filter_map(|(id, n)| detect::get(id).map(|d| (d, *n)))
                .filter(|(d, _)| d.severity == sev)
                .collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.title.cmp(&b.0.title)));
            if !list.is_empty() {
                groups.push((sev, list));
            }
        }
        groups
    }

    /// The switched-off detections, in pack order.
    pub fn switched_off(&self) -> Vec<&'static Detection> {
        detect::catalogue()
            .iter()
            .filter(|d| self.off.contains(&d.id))
            .collect()
    }

    /// One line for the panel: "12 detections fired, 140 hits (0.4 s)".
    pub fn summary(&self) -> String {
        if self.running {
            return "Running the detections…".into();
        }
        if !self.ran {
            return "The detections run when data is loaded.".into();
        }
        let groups = self.groups();
        let fired: usize = groups.iter().map(|(_, l)| l.len()).sum();
        let hits: usize = groups
            .iter()
            .flat_map(|(_, l)| l.iter().map(|(_, n)| n))
            .sum();
        let ran = self.hits.len();
        let mut s = if fired == 0 {
            format!("None of {ran} detections fired")
        } else {
            format!(
                "{fired} of {ran} detections fired, {hits} hit{}",
                if hits == 1 { "" } else { "s" }
            )
        };
        s.push_str(&format!(" ({:.1} s).", self.elapsed_ms / 1e3));
        if !self.failed.is_empty() {
            s.push_str(&format!(" {} could not run.", self.failed.len()));
        }
        s
    }
}

/// The case name a detection opens as.
pub fn case_name(d: &Detection) -> String {
    format!("Detection: {}", d.title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_are_grouped_by_severity_and_switched_off_ones_hidden() {
        let mut d = Detections::default();
        d.start();
        assert_eq!(d.summary(), "Running the detections…");
        d.finish(
            vec![
                ("unauthorized-api-call".into(), 48),
                ("root-console-login".into(), 1),
                ("console-login-without-mfa".into(), 2),
                ("guardduty-disabled".into(), 0),
            ],
            Vec::new(),
            400.0,
        );
        let groups = d.groups();
        let sev: Vec<Severity> = groups.iter().map(|g| g.0).collect();
        assert_eq!(sev, [Severity::High, Severity::Low]);
        let high: Vec<&str> = groups[0].1.iter().map(|(d, _)| d.id.as_str()).collect();
        assert_eq!(high, ["console-login-without-mfa", "root-console-login"]);
        assert_eq!(d.summary(), "3 of 4 detections fired, 51 hits (0.4 s).");
        d.toggle("unauthorized-api-call");
        assert_eq!(d.groups().len(), 1);
        assert_eq!(d.off_list(), ["unauthorized-api-call"]);
        assert_eq!(d.switched_off()[0].id, "unauthorized-api-call");
        d.toggle("unauthorized-api-call");
        assert!(d.off.is_empty());
        d.toggle("root-console-login");
        d.clear();
        assert_eq!(d.off_list(), ["root-console-login"], "kept across loads");
        assert!(!d.ran);
    }
}
