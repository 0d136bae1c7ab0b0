//! Trailscope's browser page: drop CloudTrail exports, investigate them with DQL in case tabs,
//! read results as a table, field details, a record tree or a chart.
//!
//! The page only shows things. The data and the engine live in a Web Worker ([`worker`]),
//! reached through [`bridge`]; the same wasm binary runs in both places (`main.rs` mounts
//! [`App`] when there is a window; in the worker `public/worker.js` calls [`worker_main`]).
//! Every value from a log is attacker-controlled, so it is only ever rendered as text: Leptos
//! turns string children into DOM text nodes, and nothing here uses `inner_html`.
//!
//! How the modules depend on each other (one way only):
//!
//! ```text
//! app ──> ui::* ──> share ──> store ──> persist ──> state ──> protocol
//!  │                  │         ├─────> bridge ──────────────> protocol
//!  │                  └─────────┴─────> transfer
//!  └──> bridge (started with app's handler for the worker's answers)
//! worker ──> protocol
//! ```
//!
//! - [`state`]: the state as plain structs with their operations (host-tested);
//! - [`store`]: the same state in signals ([`store::Ui`], in the context), and the operations
//!   that reach the worker (run a case, load files);
//! - [`persist`]: the cases in localStorage, written from one place;
//! - [`bridge`]: the worker's transport; answers go to the handler [`app`] gives it;
//! - [`transfer`]: files, the sample, downloads and the clipboard;
//! - [`share`]: case files, share links, exports, pinned evidence;
//! - [`ui`]: one module per component.

pub mod app;
pub mod bridge;
pub mod persist;
pub mod protocol;
pub mod share;
pub mod state;
pub mod store;
pub mod transfer;
pub mod ui;
pub mod worker;

pub use app::App;
pub use worker::worker_main;
