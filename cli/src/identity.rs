//! `trailscope identity SUBJECT PATH...`: the identity lens from the terminal: what a principal,
//! access key or session did, and the chain of credentials that led to it.

use std::io::Write as _;
use std::process::ExitCode;

use trailscope_engine::identity::{self, Activity, Hop, Lens};
use trailscope_engine::{time, Store};

use crate::{load, safe, Report};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum IdentityFormat {
    Table,
    Json,
}

#[derive(clap::Args)]
pub struct IdentityArgs {
    /// An ARN (user, role, role session), an access key id (AKIA…, ASIA…) or a principal id.
    subject: String,
    /// `json` writes one JSON object (activity, chains back to their origin, sessions issued).
    #[arg(long, value_enum, default_value = "table")]
    format: IdentityFormat,
    /// At most this many events in each timeline.
    #[arg(long, default_value_t = 50)]
    events: usize,
    /// Value of `dt.system.bucket` for the loaded events.
    #[arg(long, default_value = "default_logs")]
    bucket: String,
    /// Load report on stderr.
    #[arg(long, value_enum, default_value = "text")]
    report: Report,
    /// Files and folders to load.
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn identity(a: IdentityArgs) -> ExitCode {
    let loaded = load(&a.paths, &a.bucket);
    match a.report {
        Report::Text => eprint!("{}", safe(&loaded.report.summary())),
        Report::Json => eprintln!("{}", loaded.report.to_json()),
        Report::None => {}
    }
    let store = &loaded.store;
    let lens = identity::lens(store, &a.subject);
    let text = match a.format {
        IdentityFormat::Json => {
            let mut s = lens.to_json(store, a.events);
            s.push('\n');
            s
        }
        IdentityFormat::Table => table(store, &lens, a.events),
    };
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    if let Err(e) = w.write_all(text.as_bytes()).and_then(|_| w.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write: {e}");
            return ExitCode::from(1);
        }
    }
    if lens.activity.events == 0 && lens.issued.is_empty() {
        eprintln!(
            "no event was made by {} (matched against userIdentity.arn, accessKeyId, principalId and sessionIssuer.arn)",
            safe(&a.subject)
        );
    }
    if loaded.unreadable {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn when(t: Option<i64>) -> String {
    t.map(time::format_timestamp).unwrap_or_else(|| "-".into())
}

fn counts(v: &[(String, usize)]) -> String {
    v.iter()
        .map(|(s, n)| format!("{} ({n})", safe(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn activity(out: &mut String, store: &Store, a: &Activity, indent: &str, max: usize) {
    out.push_str(&format!(
        "{indent}{} events, {} failed, {} … {}\n",
        a.events,
        a.failed,
        when(a.first_seen),
        when(a.last_seen)
    ));
    for (label, v) in [
        ("calls", &a.event_names),
        ("services", &a.services),
        ("errors", &a.errors),
        ("from", &a.source_ips),
        ("agents", &a.user_agents),
    ] {
        if !v.is_empty() {
            out.push_str(&format!("{indent}{label:<9}{}\n", counts(v)));
        }
    }
    for &r in a.rows.iter().take(max) {
        let get = |k: &str| {
            store
                .event_value(r, &[k.to_string()])
                .as_str()
                .map(|s| safe(s).into_owned())
                .unwrap_or_default()
        };
        out.push_str(&format!(
            "{indent}  {}  {:<36} {:<28} {:<16} {}\n",
            time::format_timestamp(store.timestamp(r)),
            get("eventName"),
            get("eventSource"),
            get("sourceIPAddress"),
            get("errorCode")
        ));
    }
    if max > 0 && a.rows.len() > max {
        out.push_str(&format!("{indent}  … {} more\n", a.rows.len() - max));
    }
}

fn hop(out: &mut String, store: &Store, h: &Hop, n: usize, max: usize) {
    out.push_str(&format!(
        "  {n}. {} ({}{})\n",
        safe(&h.identity),
        safe(&h.kind),
        h.access_key
            .as_deref()
            .map(|k| format!(", key {}", safe(k)))
            .unwrap_or_default()
    ));
    if let Some(i) = &h.issued_by {
        let mut parts = vec![format!(
            "{} at {}",
            safe(&i.event_name),
            time::format_timestamp(i.time)
        )];
        if let Some(r) = &i.role_arn {
            parts.push(format!("role {}", safe(r)));
        }
        if let Some(r) = &i.role_session_name {
            parts.push(format!("session name {}", safe(r)));
        }
        if let Some(r) = &i.source_identity {
            parts.push(format!("source identity {}", safe(r)));
        }
        if let Some(r) = &i.source_ip {
            parts.push(format!("from {}", safe(r)));
        }
        parts.push(format!("matched by {}", i.matched_by));
        out.push_str(&format!("     issued by {}\n", parts.join(", ")));
    }
    activity(out, store, &h.activity, "     ", max);
}

fn table(store: &Store, lens: &Lens, max: usize) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{}: matched by {}\n",
        safe(&lens.subject),
        if lens.matched.is_empty() {
            "nothing".to_string()
        } else {
            lens.matched.join(", ")
        }
    ));
    activity(&mut out, store, &lens.activity, "", 0);
    for (i, c) in lens.chains.iter().enumerate() {
        out.push_str(&format!(
            "\nchain {} — origin: {}\n",
            i + 1,
            safe(&c.origin.describe())
        ));
        for (n, h) in c.hops.iter().enumerate() {
            hop(&mut out, store, h, n + 1, max);
        }
    }
    if !lens.issued.is_empty() {
        out.push_str("\ncredentials it issued:\n");
        for (n, h) in lens.issued.iter().enumerate() {
            hop(&mut out, store, h, n + 1, max);
        }
    }
    out
}
