//! Raw SQL that diesel may cache as a prepared statement. `diesel::sql_query` marks every statement as unsafe to
//! cache, so PostgreSQL would parse and plan each execution again; our statements are fixed strings (or one of a
//! few variants), so caching them per connection saves that work on every call. (Binding a value without
//! emitting a placeholder needs diesel's `i-implement-a-third-party-backend…` feature; the version is pinned.)

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use std::marker::PhantomData;

/// A raw SQL statement with positional binds, cached per connection keyed by its text and bind types.
#[derive(Debug, Clone)]
#[must_use = "queries run only when loaded or executed"]
pub struct Sql(String);

/// Starts a cacheable raw statement.
pub fn sql(text: impl Into<String>) -> Sql {
    Sql(text.into())
}

/// A statement with one more bound value.
#[derive(Debug, Clone)]
#[must_use = "queries run only when loaded or executed"]
pub struct Bound<Q, V, ST> {
    query: Q,
    value: V,
    _st: PhantomData<ST>,
}

impl Sql {
    /// Binds the next positional parameter.
    pub fn bind<ST, V>(self, value: V) -> Bound<Self, V, ST> {
        Bound { query: self, value, _st: PhantomData }
    }
}

impl<Q, V, ST> Bound<Q, V, ST> {
    /// Binds the next positional parameter.
    pub fn bind<ST2, V2>(self, value: V2) -> Bound<Self, V2, ST2> {
        Bound { query: self, value, _st: PhantomData }
    }
}

impl QueryId for Sql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, V, ST> QueryId for Bound<Q, V, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Sql {
    type SqlType = Untyped;
}

impl<Q, V, ST> Query for Bound<Q, V, ST> {
    type SqlType = Untyped;
}

impl QueryFragment<Pg> for Sql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(&self.0);
        Ok(())
    }
}

impl<Q, V, ST> QueryFragment<Pg> for Bound<Q, V, ST>
where
    Q: QueryFragment<Pg>,
    V: ToSql<ST, Pg>,
    Pg: HasSqlType<ST>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_bind_param_value_only(&self.value)
    }
}
