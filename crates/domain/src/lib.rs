#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![warn(missing_docs)]

pub mod error;
pub mod model;
pub mod plan;
pub mod ports;
pub mod pricing;
pub mod services;

pub use error::{Error, Result};
