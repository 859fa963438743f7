//! End-to-end tests: the real server wiring on port 0, a fresh database per test, HTTP only.

mod auth;
mod bookings;
mod caching;
mod catalog;
mod events;
mod hardening;
mod history;
mod operations;
mod policies;
mod races;
mod read_model;
mod service;
mod stays;
mod stripe;
