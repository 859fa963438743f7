//! `SimulatedSessionStore`: sessions of the simulated gateway and their status compare-and-set.

use crate::StoreFactory;
use crate::fixtures::*;
use domain::ports::SimulatedSession;

/// Insert, read, compare-and-set (exactly one of several simultaneous winners).
pub async fn simulated_sessions(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let b = fx.hold(&s.guest, &s.room, fx.day(10), 2, 1).await;
    let store = &fx.s.sessions;
    let session = |id: &str| SimulatedSession {
        id: id.into(),
        booking_id: b.id,
        amount: b.amount,
        currency: "USD".into(),
        status: "OPEN".into(),
        expires_at: fx.mins(31),
    };
    store.insert_session(session("sim_cs_1")).await.unwrap();
    assert_eq!(store.session("sim_cs_1").await.unwrap(), Some(session("sim_cs_1")));
    assert_eq!(store.session("sim_cs_unknown").await.unwrap(), None);

    assert!(store.set_session_status("sim_cs_1", "OPEN", "COMPLETE").await.unwrap());
    assert!(!store.set_session_status("sim_cs_1", "OPEN", "CANCELLED").await.unwrap());
    assert_eq!(store.session("sim_cs_1").await.unwrap().unwrap().status, "COMPLETE");
    assert!(!store.set_session_status("sim_cs_unknown", "OPEN", "COMPLETE").await.unwrap());

    store.insert_session(session("sim_cs_2")).await.unwrap();
    let results = race(8, |i| {
        let store = fx.s.sessions.clone();
        let to = if i % 2 == 0 { "COMPLETE" } else { "CANCELLED" };
        async move { (to, store.set_session_status("sim_cs_2", "OPEN", to).await.unwrap()) }
    })
    .await;
    let winners: Vec<&str> = results.iter().filter(|(_, won)| *won).map(|(to, _)| *to).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert_eq!(store.session("sim_cs_2").await.unwrap().unwrap().status, winners[0]);
    assert_eq!(store.session("sim_cs_1").await.unwrap().unwrap().status, "COMPLETE", "sessions are independent");
}
