import GRDB

/// The catalog's schema, one named migration per change. A migration, once
/// released, never changes: the next change is a new migration.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("createCharacters") { db in
            try db.create(table: "character") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("alias", .text).notNull()
                t.column("aliasKey", .text).notNull().unique()
                t.column("sourceURL", .text).notNull()
                // Whole milliseconds: a 0.7,1.7 window stays exactly one second long.
                t.column("windowStartMs", .integer).notNull().check { $0 >= 0 }
                t.column("windowEndMs", .integer).notNull()
                t.column("notes", .text).notNull().defaults(to: "")
                t.column("clipPath", .text)
                t.column("clipSHA256", .text)
                t.column("clipDuration", .double)
                t.column("clipProbe", .text)
                t.column("sourceCheck", .text).notNull().defaults(to: "not-probed")
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.check(sql: "windowEndMs - windowStartMs BETWEEN 1000 AND 3000")
            }
            try db.create(table: "characterTag") { t in
                t.belongsTo("character", onDelete: .cascade).notNull()
                t.column("tag", .text).notNull()
                t.primaryKey(["characterId", "tag"])
            }
            try db.create(index: "characterTag_tag", on: "characterTag", columns: ["tag"])
        }

        migrator.registerMigration("createIdentities") { db in
            try db.create(table: "identity") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("character", onDelete: .cascade).notNull()
                t.column("username", .text).notNull()
                t.column("usernameKey", .text).notNull().unique()
                t.column("platformCharacterId", .text)
                t.column("displayName", .text)
                t.column("avatarURL", .text)
                t.column("origin", .text).notNull().check { ["manual", "task"].contains($0) }
                t.column("taskId", .text)
                t.column("provider", .text)
                t.column("state", .text).notNull().check { ["active", "superseded", "revoked"].contains($0) }
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            // At most one identity per character is the one prompts resolve to.
            try db.execute(sql: """
                CREATE UNIQUE INDEX identity_oneActive ON identity(characterId) WHERE state = 'active'
                """)
        }

        migrator.registerMigration("createSubmissions") { db in
            try db.create(table: "submission") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("character", onDelete: .setNull)
                t.column("endpoint", .text).notNull()
                t.column("requestBody", .text).notNull()
                t.column("status", .text).notNull()
                t.column("httpStatus", .integer)
                t.column("responseBody", .text)
                t.column("taskId", .text)
                t.column("error", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "submission_taskId", on: "submission", columns: ["taskId"])
        }

        // What probing the source URL found, apart from any local clip's facts.
        migrator.registerMigration("addSourceProbe") { db in
            try db.alter(table: "character") { t in
                t.add(column: "sourceDuration", .double)
                t.add(column: "sourceProbe", .text)
            }
        }

        // Submissions as a life cycle: cameo's own state (checked) apart from the
        // provider's task status, the kind of request, the profile, the downloaded file.
        migrator.registerMigration("submissionLifeCycle") { db in
            try db.create(table: "submissionNew") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("character", onDelete: .setNull)
                t.column("kind", .text).notNull().defaults(to: "generation").check { ["generation", "character"].contains($0) }
                t.column("endpoint", .text).notNull()
                t.column("provider", .text)
                t.column("requestBody", .text).notNull()
                t.column("state", .text).notNull().check { ["sending", "submitted", "not-sent", "unknown", "failed"].contains($0) }
                t.column("taskStatus", .text).check { $0 == nil || ["queued", "running", "succeeded", "failed", "cancelled", "unknown"].contains($0) }
                t.column("providerStatus", .text)
                t.column("httpStatus", .integer)
                t.column("responseBody", .text)
                t.column("taskId", .text)
                t.column("error", .text)
                t.column("downloadPath", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            // Before, `status` held both cameo's state and, after `status`, the provider's word.
            try db.execute(sql: """
                INSERT INTO submissionNew (id, characterId, kind, endpoint, requestBody, state, providerStatus, httpStatus,
                                           responseBody, taskId, error, createdAt, updatedAt)
                SELECT id, characterId, 'generation', endpoint, requestBody,
                       CASE WHEN status IN ('sending', 'submitted', 'not-sent', 'unknown', 'failed') THEN status ELSE 'submitted' END,
                       CASE WHEN status IN ('sending', 'submitted', 'not-sent', 'unknown', 'failed') THEN NULL ELSE status END,
                       httpStatus, responseBody, taskId, error, createdAt, updatedAt
                FROM submission
                """)
            try db.drop(table: "submission")
            try db.rename(table: "submissionNew", to: "submission")
            try db.create(index: "submission_taskId", on: "submission", columns: ["taskId"])
        }

        // `create` records identities of its own origin, and when a (signed, expiring) avatar URL was fetched.
        migrator.registerMigration("identityCreatedOrigin") { db in
            try db.create(table: "identityNew") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("character", onDelete: .cascade).notNull()
                t.column("username", .text).notNull()
                t.column("usernameKey", .text).notNull().unique()
                t.column("platformCharacterId", .text)
                t.column("displayName", .text)
                t.column("avatarURL", .text)
                t.column("avatarFetchedAt", .datetime)
                t.column("permalink", .text)
                t.column("origin", .text).notNull().check { ["manual", "task", "created"].contains($0) }
                t.column("taskId", .text)
                t.column("provider", .text)
                t.column("state", .text).notNull().check { ["active", "superseded", "revoked"].contains($0) }
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.execute(sql: """
                INSERT INTO identityNew (id, characterId, username, usernameKey, platformCharacterId, displayName, avatarURL,
                                         avatarFetchedAt, origin, taskId, provider, state, createdAt, updatedAt)
                SELECT id, characterId, username, usernameKey, platformCharacterId, displayName, avatarURL,
                       CASE WHEN avatarURL IS NULL THEN NULL ELSE updatedAt END, origin, taskId, provider, state, createdAt, updatedAt
                FROM identity
                """)
            try db.drop(table: "identity")
            try db.rename(table: "identityNew", to: "identity")
            try db.execute(sql: "CREATE UNIQUE INDEX identity_oneActive ON identity(characterId) WHERE state = 'active'")
        }

        // What the person check saw in the character's window (detector, frames, faces), as JSON.
        migrator.registerMigration("addPersonCheck") { db in
            try db.alter(table: "character") { t in
                t.add(column: "personCheck", .text)
            }
        }

        // Destructive changes keep the rows they alter, so that `cameo undo` can put them back.
        migrator.registerMigration("createTrash") { db in
            try db.create(table: "trash") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("action", .text).notNull().check { ["rm", "import", "rename", "edit"].contains($0) }
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "trashItem") { t in
                t.belongsTo("trash", onDelete: .cascade).notNull()
                t.column("position", .integer).notNull()
                // Not a foreign key: the character is usually gone.
                t.column("characterId", .integer).notNull()
                t.column("alias", .text)
                t.column("usernames", .integer).notNull().defaults(to: 0)
                t.column("rows", .text)
                t.primaryKey(["trashId", "position"])
            }
        }

        // An unknown name's did-you-mean looks its pieces up in an index instead of reading every alias.
        migrator.registerMigration("createAliasPieces") { db in
            try AliasPieces.create(db)
        }

        return migrator
    }
}

extension Schema {
    /// What an SQLite file holds, as far as cameo is concerned.
    enum State: Equatable {
        /// A cameo catalog this cameo reads as it is.
        case current
        /// A cameo catalog from an older cameo: it needs migrations first.
        case needsMigration
        /// An SQLite file without tables: it becomes a catalog when written.
        case blank
        /// Another program's data.
        case foreign
        /// A catalog written by a newer cameo, with migrations this one does not know.
        case newer(unknownMigrations: [String])
    }

    /// Reads only: safe on a read-only connection and on another program's file.
    static func state(_ db: Database) throws -> State {
        let migrator = migrator
        // One statement: another process may be creating the schema meanwhile.
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        guard tables.contains("grdb_migrations") else {
            guard tables.isEmpty else { return .foreign }
            // No tables yet, but a program that stamps its files has claimed this one
            // (cameo stamps neither, so a catalog being created meanwhile reads 0 here).
            let stamp = try Int64.fetchOne(db, sql: """
                SELECT (SELECT application_id FROM pragma_application_id()) | (SELECT user_version FROM pragma_user_version())
                """) ?? 0
            return stamp == 0 ? .blank : .foreign
        }
        // One read of the applied migrations answers every question.
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        let known = migrator.migrations
        // Another program built with GRDB has migrations too, none of them ours.
        if !applied.isEmpty, !applied.contains(known[0]) { return .foreign }
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty { return .newer(unknownMigrations: unknown.sorted()) }
        return applied.isSuperset(of: known) ? .current : .needsMigration
    }

    static func refuseUnusable(_ state: State, path: String) throws(CatalogError) {
        switch state {
        case .foreign:
            throw .notACatalog(path: path, detail: "it is an SQLite database of another program")
        case .newer(let unknown):
            throw .newerSchema(path: path, unknownMigrations: unknown)
        case .current, .needsMigration, .blank:
            break
        }
    }
}
