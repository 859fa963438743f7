//! Service answers: root, health, the webhook acknowledgement.

use super::*;

/// `GET /`.
#[derive(Serialize, ToSchema)]
pub struct RootResponse {
    #[schema(example = "healthy")]
    pub status: &'static str,
    #[schema(example = "Hotel booking API is running")]
    pub message: &'static str,
}

/// `GET /health` and `GET /ready`.
#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `healthy` (`/health`) or `ready` (`/ready`).
    #[schema(example = "healthy")]
    pub status: &'static str,
}

/// `GET /ready` and `GET /ready/read`: `status` is `ready`; `read_replica` only when a read replica is configured.
#[derive(Serialize, ToSchema)]
pub struct ReadyResponse {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The read replica serving search (`DATABASE_READ_URL`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub read_replica: Option<ReadReplicaResponse>,
}

/// The read replica's replication lag as its monitor measured it (every second).
#[derive(Serialize, ToSchema)]
pub struct ReadReplicaResponse {
    /// Milliseconds behind the primary; `null` when the replica did not answer.
    #[schema(example = 3)]
    pub lag_ms: Option<i64>,
    /// `REPLICA_MAX_LAG_MS`: past it, search reads the primary and `/ready/read` answers 503.
    #[schema(example = 5000)]
    pub max_lag_ms: i64,
    /// Whether search reads the replica now.
    pub serving_reads: bool,
}

/// The webhook's answer to every verified event.
#[derive(Serialize, ToSchema)]
pub struct WebhookAck {
    #[schema(example = "success")]
    pub status: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire names of the schema enums are exactly the domain's names.
    #[test]
    fn enum_dtos_serialise_as_the_domain_names() {
        let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        for s in BookingStatus::ALL {
            assert_eq!(name(serde_json::to_value(BookingStatusDto::from(s)).unwrap()), s.as_str());
        }
        for r in [Role::Guest, Role::HotelManager] {
            assert_eq!(name(serde_json::to_value(RoleDto::from(r)).unwrap()), r.as_str());
        }
        for g in [Gender::Male, Gender::Female] {
            assert_eq!(name(serde_json::to_value(GenderDto::from(g)).unwrap()), g.as_str());
        }
        for r in [RefundStatus::Pending, RefundStatus::Succeeded, RefundStatus::Failed] {
            assert_eq!(name(serde_json::to_value(RefundStatusDto::from(r)).unwrap()), r.as_str());
        }
        for s in SearchSortDto::ALL {
            assert_eq!(name(serde_json::to_value(s).unwrap()), s.as_str());
        }
        assert_eq!(serde_json::to_value(TokenType::Bearer).unwrap(), "bearer");
    }

    #[test]
    fn dates_and_timestamps_keep_their_wire_format() {
        let t = DateTime::parse_from_rfc3339("2026-11-25T19:26:09.2176Z").unwrap().with_timezone(&Utc);
        let d = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let r = HotelReportResponse {
            hotel_id: 1,
            total_bookings: 0,
            total_revenue: MoneyStr("0.00".into()),
            start_date: d,
            end_date: d,
            avg_revenue: MoneyStr("0.00".into()),
            net_revenue: MoneyStr("0.00".into()),
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["start_date"], "2026-02-01");
        assert_eq!(ts(t), "2026-11-25T19:26:09.217600Z");
        let mut out = Vec::new();
        ser_ts_opt(&Some(t), &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(out, br#""2026-11-25T19:26:09.217600Z""#);
    }
}
