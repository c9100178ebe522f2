//! The two schemas cannot drift: after every migration, SQLite's and
//! PostgreSQL's catalogs describe the same tables, columns (types mapped),
//! nullability, defaults, keys, unique and check constraints, foreign keys,
//! indexes and append-only guards. Each migration is written twice, once per
//! engine; this is what keeps the twins twins.
//!
//! Expressions (checks, index keys and predicates, defaults) are compared by
//! what they are made of — the columns, functions and literals they name —
//! because each engine prints them its own way (`x IN ('a', 'b')` comes back
//! from PostgreSQL as `x = ANY (ARRAY['a'::text, 'b'::text])`).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Connection, PgConnection, Row, SqliteConnection};

use crate::helpers::POSTGRES_URL_VAR;

#[derive(Debug, Default, PartialEq)]
struct Schema {
    tables: BTreeMap<String, Table>,
}

#[derive(Debug, Default, PartialEq)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    unique: BTreeSet<Vec<String>>,
    checks: BTreeSet<Vec<String>>,
    foreign_keys: BTreeSet<ForeignKey>,
    indexes: BTreeMap<String, Index>,
    append_only: bool,
}

#[derive(Debug, PartialEq)]
struct Column {
    /// The engine-neutral type: `integer` (64-bit on both) or `text`.
    ty: String,
    not_null: bool,
    default: Option<Vec<String>>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    references: String,
    referenced_columns: Vec<String>,
    on_delete: String,
}

#[derive(Debug, PartialEq)]
struct Index {
    unique: bool,
    keys: Vec<Vec<String>>,
    predicate: Option<Vec<String>>,
}

#[tokio::test]
#[ignore = "PostgreSQL only (compares it with SQLite); scripts/test.sh runs it with PORTAL_TEST_POSTGRES_URL and --include-ignored"]
async fn sqlite_and_postgresql_have_the_same_schema_after_migrations() {
    std::env::var(POSTGRES_URL_VAR)
        .expect("this test compares with PostgreSQL: set PORTAL_TEST_POSTGRES_URL");
    let postgres = crate::helpers::fresh_db().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}", dir.path().join("portal.db").display());
    let sqlite_db = app::repo::Db::connect(&sqlite_url).await.expect("connect");
    sqlite_db.migrate().await.expect("migrate SQLite");

    let sqlite = sqlite_schema(&sqlite_url).await;
    let pg = postgres_schema(&postgres.url).await;

    // Neither side came back empty or half-read (which would compare equal).
    for (engine, schema) in [("SQLite", &sqlite), ("PostgreSQL", &pg)] {
        let ledger = schema
            .tables
            .get("ledger_entries")
            .unwrap_or_else(|| panic!("{engine}: no ledger_entries"));
        assert!(ledger.append_only, "{engine}: ledger_entries is not append-only");
        assert!(
            !ledger.checks.is_empty() && !ledger.foreign_keys.is_empty() && !ledger.indexes.is_empty(),
            "{engine}: {ledger:?}"
        );
        assert!(
            schema.tables.len() >= 15,
            "{engine}: only {} tables",
            schema.tables.len()
        );
    }
    let differences = differences(&sqlite, &pg);
    assert!(
        differences.is_empty(),
        "the SQLite and PostgreSQL migrations disagree:\n  {}",
        differences.join("\n  ")
    );
}

/// Every way `a` (SQLite) and `b` (PostgreSQL) differ, one line each.
fn differences(a: &Schema, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = a.tables.keys().chain(b.tables.keys()).collect();
    for name in names {
        let (ta, tb) = match (a.tables.get(name), b.tables.get(name)) {
            (Some(ta), Some(tb)) => (ta, tb),
            (Some(_), None) => {
                out.push(format!("table {name}: only in SQLite"));
                continue;
            }
            _ => {
                out.push(format!("table {name}: only in PostgreSQL"));
                continue;
            }
        };
        map_differences(&mut out, &format!("{name}: column"), &ta.columns, &tb.columns);
        if ta.primary_key != tb.primary_key {
            out.push(format!(
                "{name}: primary key SQLite {:?}, PostgreSQL {:?}",
                ta.primary_key, tb.primary_key
            ));
        }
        set_differences(&mut out, name, "unique constraint", &ta.unique, &tb.unique);
        set_differences(&mut out, name, "check", &ta.checks, &tb.checks);
        set_differences(&mut out, name, "foreign key", &ta.foreign_keys, &tb.foreign_keys);
        map_differences(&mut out, &format!("{name}: index"), &ta.indexes, &tb.indexes);
        if ta.append_only != tb.append_only {
            out.push(format!(
                "{name}: append-only guard SQLite {}, PostgreSQL {}",
                ta.append_only, tb.append_only
            ));
        }
    }
    out
}

/// Each name whose value differs between `a` (SQLite) and `b`, or that
/// only one of them has (`None`).
fn map_differences<T: PartialEq + std::fmt::Debug>(
    out: &mut Vec<String>,
    what: &str,
    a: &BTreeMap<String, T>,
    b: &BTreeMap<String, T>,
) {
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for name in names {
        let (va, vb) = (a.get(name), b.get(name));
        if va != vb {
            out.push(format!("{what} {name}: SQLite {va:?}, PostgreSQL {vb:?}"));
        }
    }
}

fn set_differences<T: Ord + std::fmt::Debug>(
    out: &mut Vec<String>,
    table: &str,
    what: &str,
    a: &BTreeSet<T>,
    b: &BTreeSet<T>,
) {
    for only in a.difference(b) {
        out.push(format!("{table}: {what} only in SQLite: {only:?}"));
    }
    for only in b.difference(a) {
        out.push(format!("{table}: {what} only in PostgreSQL: {only:?}"));
    }
}

fn neutral_type(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer".into(),
        "text" => "text".into(),
        other => format!("unmapped type {other}"),
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = SqliteConnection::connect(url).await.expect("SQLite");
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    let mut schema = Schema::default();
    for (name, sql) in tables {
        let mut table = Table::default();
        let mut key: Vec<(i64, String)> = Vec::new();
        for row in sqlx::query("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1)")
            .bind(&name)
            .fetch_all(&mut conn)
            .await
            .expect("columns")
        {
            let column: String = row.get(0);
            let pk: i64 = row.get(4);
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            let default: Option<String> = row.get(3);
            table.columns.insert(
                column,
                Column {
                    ty: neutral_type(row.get(1)),
                    // A rowid key is never NULL, whatever the pragma says.
                    not_null: row.get::<i64, _>(2) == 1 || pk > 0,
                    default: default.map(|d| signature(&tokens(&d), &[])),
                },
            );
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        let columns: Vec<String> = table.columns.keys().cloned().collect();

        let indexes: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&name)
                .fetch_all(&mut conn)
                .await
                .expect("index list");
        for (index, _, origin) in indexes {
            if origin == "u" {
                let cols: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                        .bind(&index)
                        .fetch_all(&mut conn)
                        .await
                        .expect("index columns");
                table.unique.insert(cols);
            }
        }
        let created: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("indexes");
        for (index, sql) in created {
            table.indexes.insert(index, parse_create_index(&sql, &columns));
        }
        table.checks = checks(&tokens(&strip_comments(&sql)), &columns);
        for row in sqlx::query("SELECT seq, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq")
            .bind(&name)
            .fetch_all(&mut conn)
            .await
            .expect("foreign keys")
        {
            let seq: i64 = row.get(0);
            let (from, to): (String, Option<String>) = (row.get(2), row.get(3));
            let fk = ForeignKey {
                columns: vec![from],
                references: row.get(1),
                // `REFERENCES t` with no column means t's primary key.
                referenced_columns: vec![to.unwrap_or_else(|| "id".into())],
                on_delete: row.get::<String, _>(4).to_ascii_lowercase(),
            };
            assert_eq!(seq, 0, "{name}: composite foreign keys are not compared yet");
            table.foreign_keys.insert(fk);
        }
        let triggers: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1")
                .bind(&name)
                .fetch_one(&mut conn)
                .await
                .expect("triggers");
        table.append_only = triggers > 0;
        schema.tables.insert(name, table);
    }
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = PgConnection::connect(url).await.expect("PostgreSQL");
    let mut schema = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    for name in tables {
        let mut table = Table::default();
        for row in sqlx::query(
            "SELECT column_name::text, data_type::text, is_nullable::text, column_default::text
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("columns")
        {
            let default: Option<String> = row.get(3);
            table.columns.insert(
                row.get(0),
                Column {
                    ty: neutral_type(row.get(1)),
                    not_null: row.get::<String, _>(2) == "NO",
                    default: default.map(|d| signature(&tokens(&d), &[])),
                },
            );
        }
        let columns: Vec<String> = table.columns.keys().cloned().collect();
        // Each constraint with its columns in key order and, for a foreign
        // key, the referenced table and columns.
        let constraints = sqlx::query(
            "SELECT c.contype::text, pg_get_constraintdef(c.oid),
                array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o),
                coalesce(f.relname::text, ''),
                array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o),
                c.confdeltype::text
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_namespace s ON s.oid = t.relnamespace LEFT JOIN pg_class f ON f.oid = c.confrelid
             WHERE s.nspname = 'public' AND t.relname = $1",
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("constraints");
        let mut constraint_indexes = BTreeSet::new();
        for row in constraints {
            let kind: String = row.get(0);
            let definition: String = row.get(1);
            let cols: Vec<String> = row.get(2);
            match kind.as_str() {
                "p" => table.primary_key = cols,
                "u" => {
                    table.unique.insert(cols);
                }
                "c" => table.checks.extend(checks(&tokens(&definition), &columns)),
                "f" => {
                    let on_delete = match row.get::<String, _>(5).as_str() {
                        "a" => "no action",
                        "r" => "restrict",
                        "c" => "cascade",
                        "n" => "set null",
                        "d" => "set default",
                        other => panic!("{name}: unknown ON DELETE {other}"),
                    };
                    table.foreign_keys.insert(ForeignKey {
                        columns: cols,
                        references: row.get(3),
                        referenced_columns: row.get(4),
                        on_delete: on_delete.into(),
                    });
                }
                other => panic!("{name}: constraint of kind {other} is not compared: {definition}"),
            }
        }
        for conname in sqlx::query_scalar::<_, String>(
            "SELECT c.conname::text FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             WHERE t.relname = $1 AND c.contype IN ('p', 'u')",
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("constraint names")
        {
            constraint_indexes.insert(conname);
        }
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1",
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("indexes");
        for (index, definition) in indexes {
            if !constraint_indexes.contains(&index) {
                table
                    .indexes
                    .insert(index, parse_create_index(&definition, &columns));
            }
        }
        let triggers: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid WHERE t.relname = $1 AND NOT g.tgisinternal",
        )
        .bind(&name)
        .fetch_one(&mut conn)
        .await
        .expect("triggers");
        table.append_only = triggers > 0;
        schema.tables.insert(name, table);
    }
    schema
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Number(String),
    Punct(char),
}

fn strip_comments(sql: &str) -> String {
    sql.lines()
        .map(|line| match line.find("--") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// SQL split into words (lowercased), string and number literals and
/// punctuation; PostgreSQL's casts (`::text`, `::bigint`) are dropped, since
/// they are how it prints, not what the schema says.
fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    s.push('\'');
                    i += 2;
                } else if chars[i] == '\'' {
                    i += 1;
                    break;
                } else {
                    s.push(chars[i]);
                    i += 1;
                }
            }
            out.push(Token::Str(s));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            i += 2;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '[' || chars[i] == ']')
            {
                i += 1;
            }
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Token::Number(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' || c == '"' {
            let quoted = c == '"';
            let start = if quoted { i + 1 } else { i };
            i = start;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Word(
                chars[start..i].iter().collect::<String>().to_ascii_lowercase(),
            ));
            if quoted && chars.get(i) == Some(&'"') {
                i += 1;
            }
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// What an expression is made of: the columns it names, the functions it
/// calls and the literals it holds, sorted, each once (PostgreSQL spells
/// `x BETWEEN 1 AND 2` as `x >= 1 AND x <= 2`).
fn signature(tokens: &[Token], columns: &[String]) -> Vec<String> {
    const NOT_FUNCTIONS: &[&str] = &["in", "any", "array", "check", "and", "or", "not", "where"];
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Word(w)
                if tokens.get(i + 1) == Some(&Token::Punct('(')) && !NOT_FUNCTIONS.contains(&w.as_str()) =>
            {
                out.push(format!("{w}()"))
            }
            Token::Word(w) if columns.contains(w) => out.push(w.clone()),
            Token::Word(w) if w == "null" || w == "true" || w == "false" => out.push(w.clone()),
            Token::Str(s) => out.push(format!("'{s}'")),
            Token::Number(n) => out.push(n.clone()),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The tokens from the `(` at `open` to its matching `)`, both excluded,
/// and the position after the `)`.
fn parenthesized(tokens: &[Token], open: usize) -> (&[Token], usize) {
    assert_eq!(
        tokens.get(open),
        Some(&Token::Punct('(')),
        "expected ( in {tokens:?}"
    );
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return (&tokens[open + 1..i], i + 1);
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses in {tokens:?}")
}

/// Every `CHECK (…)` in a table's definition (or one constraint's).
fn checks(tokens: &[Token], columns: &[String]) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == Token::Word("check".into()) {
            let (inner, next) = parenthesized(tokens, i + 1);
            out.insert(signature(inner, columns));
            i = next;
        } else {
            i += 1;
        }
    }
    out
}

/// `CREATE [UNIQUE] INDEX name ON table [USING method] (keys) [WHERE predicate]`
/// as either engine prints it.
fn parse_create_index(sql: &str, columns: &[String]) -> Index {
    let tokens = tokens(sql);
    let unique = tokens.get(1) == Some(&Token::Word("unique".into()));
    let open = tokens
        .iter()
        .position(|t| *t == Token::Punct('('))
        .unwrap_or_else(|| panic!("no key list in {sql}"));
    let (keys, next) = parenthesized(&tokens, open);
    let mut split = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, token) in keys.iter().enumerate() {
        match token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            Token::Punct(',') if depth == 0 => {
                split.push(signature(&keys[start..i], columns));
                start = i + 1;
            }
            _ => {}
        }
    }
    split.push(signature(&keys[start..], columns));
    let predicate = match tokens.get(next) {
        Some(Token::Word(w)) if w == "where" => Some(signature(&tokens[next + 1..], columns)),
        None => None,
        Some(other) => panic!("unexpected {other:?} after the keys of {sql}"),
    };
    Index {
        unique,
        keys: split,
        predicate,
    }
}

#[test]
fn expressions_are_compared_by_what_they_are_made_of() {
    let columns = vec!["license_model".to_string(), "term_months".to_string()];
    let sqlite = checks(
        &tokens("license_model TEXT CHECK (license_model IN ('cloud', 'file'))"),
        &columns,
    );
    let pg = checks(
        &tokens("CHECK ((license_model = ANY (ARRAY['cloud'::text, 'file'::text])))"),
        &columns,
    );
    assert_eq!(sqlite, pg);
    let other = checks(
        &tokens("CHECK ((license_model = ANY (ARRAY['cloud'::text, 'service'::text])))"),
        &columns,
    );
    assert_ne!(sqlite, other, "a changed literal is a difference");
    let between = checks(&tokens("CHECK (term_months BETWEEN 1 AND 120)"), &columns);
    let pg_between = checks(
        &tokens("CHECK (((term_months >= 1) AND (term_months <= 120)))"),
        &columns,
    );
    assert_eq!(between, pg_between);
    let a = parse_create_index(
        "CREATE UNIQUE INDEX x ON t (kind, coalesce(managed_by, 0), lower(name))",
        &["kind".into(), "managed_by".into(), "name".into()],
    );
    let b = parse_create_index(
        "CREATE UNIQUE INDEX x ON public.t USING btree (kind, COALESCE(managed_by, (0)::bigint), lower(name))",
        &["kind".into(), "managed_by".into(), "name".into()],
    );
    assert_eq!(a, b);
    let plain = parse_create_index(
        "CREATE INDEX x ON t (kind, managed_by, name)",
        &["kind".into(), "managed_by".into(), "name".into()],
    );
    assert_ne!(a, plain, "an expression key is not its column");
}
