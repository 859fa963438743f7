//! `app openapi` prints the served OpenAPI document without any configuration or database (CI generates the
//! TypeScript client from it: scripts/ts-client-check.sh).

use std::process::Command;

#[test]
fn openapi_subcommand_prints_the_document_without_configuration() {
    let out = Command::new(env!("CARGO_BIN_EXE_app"))
        .arg("openapi")
        .env_clear()
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("app runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON document");
    assert!(printed["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")));
    let served = serde_json::to_value(adapter_http::openapi()).expect("document");
    assert_eq!(printed, served, "the printed document is the served one");

    let out = Command::new(env!("CARGO_BIN_EXE_app")).env_clear().args(["openapi", "extra"]).output().expect("runs");
    assert!(!out.status.success(), "extra arguments are a usage error");
}
