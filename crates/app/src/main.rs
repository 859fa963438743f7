//! The staybook binary: see `app::cli`.

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(app::cli::main(std::env::args().collect()));
    // The batch processor still holds the last spans, and `exit` runs no destructors.
    app::telemetry::shutdown_tracing();
    std::process::exit(code);
}
