#include <sqlite3.h>
#include "sqlite_options.h"

int cameo_sqlite_no_checkpoint_on_close(void *connection) {
    return sqlite3_db_config((sqlite3 *)connection, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

int cameo_sqlite_keep_wal_files(void *connection) {
    int keep = 1;
    return sqlite3_file_control((sqlite3 *)connection, "main", SQLITE_FCNTL_PERSIST_WAL, &keep);
}

int cameo_sqlite_column_type(void *statement, int index) {
    return sqlite3_column_type((sqlite3_stmt *)statement, index);
}

const unsigned char *cameo_sqlite_column_text(void *statement, int index, int *length) {
    const unsigned char *text = sqlite3_column_text((sqlite3_stmt *)statement, index);
    *length = sqlite3_column_bytes((sqlite3_stmt *)statement, index);
    return text;
}
