#ifndef CAMEO_SQLITE_OPTIONS_H
#define CAMEO_SQLITE_OPTIONS_H

// Connection settings Swift cannot reach: sqlite3_db_config is variadic.
// `connection` is a `sqlite3 *` (GRDB's `Database.sqliteConnection`).

/// A read-only reader must not checkpoint when it closes: that would try to
/// take the database's exclusive lock.
int cameo_sqlite_no_checkpoint_on_close(void *connection);

/// Keeps the -wal and -shm files when the last writer closes, so a read-only
/// reader never has to create them.
int cameo_sqlite_keep_wal_files(void *connection);

/// The storage class SQLite holds a statement's column in (SQLITE_INTEGER,
/// SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL), which GRDB's fast
/// decoding does not look at: it lets SQLite convert a blob into text.
/// `statement` is a `sqlite3_stmt *`.
int cameo_sqlite_column_type(void *statement, int index);

/// A text column's bytes in place (valid until the statement steps) and their count.
const unsigned char *cameo_sqlite_column_text(void *statement, int index, int *length);

#endif
