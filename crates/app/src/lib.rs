//! The staybook server: configuration, wiring, background jobs and the command line.

pub mod calendar_cache;
pub mod cli;
pub mod config;
pub mod demo;
pub mod jobs;
pub mod observer;
mod packed;
pub mod read_model;
pub mod relay;
pub mod replica;
pub mod startup;
pub mod telemetry;

pub use config::Config;
pub use startup::{Running, start, wire};
