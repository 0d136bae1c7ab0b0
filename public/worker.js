// Starts the Trailscope engine in a Web Worker: the same wasm binary as the page, but only
// `worker_main` runs here. The page passes the hashed file names in the query string.
const params = new URL(self.location.href).searchParams;
const { default: init, worker_main } = await import(params.get("js"));
await init({ module_or_path: params.get("wasm") });
worker_main();
