//! The staybook binary: see `app::cli`.

fn main() {
    tune_allocator();
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

/// glibc's malloc gives threads that allocate at the same time arenas of their own (up to 8 per core) and keeps
/// what each arena freed. After `make bench`'s API load the server held ~40 MiB more than a fresh start on the same
/// data (docs/PERFORMANCE.md §12). Two arenas, and freed memory handed back to the system every 30 s
/// (`malloc_trim`, a few milliseconds), keep the resident memory near what is live. Before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt and malloc_trim are thread-safe glibc calls with no pointer arguments; mallopt runs before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    let trim = std::thread::Builder::new().name("malloc-trim".into()).spawn(|| {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(30));
            // SAFETY: see above.
            unsafe {
                libc::malloc_trim(0);
            }
        }
    });
    if let Err(e) = trim {
        eprintln!("cannot start the malloc-trim thread: {e}");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
