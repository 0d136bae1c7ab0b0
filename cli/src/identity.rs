//! `trailscope identity SUBJECT PATH...`: the identity lens from the terminal: what a principal,
//! access key or session did, and the chain of credentials that led to it.

use std::io::Write as _;
use std::process::ExitCode;

use trailscope_engine::identity;

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
        IdentityFormat::Table => safe(&identity::to_text(store, &lens, a.events)).into_owned(),
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
