//! The page's entry point: mounts [`trailscope_app::App`].
//!
//! The engine worker runs this same binary, where there is no window: `main` returns and
//! `public/worker.js` calls `worker_main` (exported from the library).

fn main() {
    if web_sys::window().is_none() {
        return;
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(trailscope_app::App);
}
