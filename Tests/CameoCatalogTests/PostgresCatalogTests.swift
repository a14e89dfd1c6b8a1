@testable import CameoCatalog
import CameoTestSupport
import Foundation
import Testing

/// What only the PostgreSQL store has: its schema's life, the database's own
/// constraints, and how it finds its password. (Its behaviour as a catalog
/// is checked by the shared suites, which run against both stores.)
@Suite struct PostgresCatalogTests {
    @Test func refusesADatabaseWrittenByANewerCameo() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        let catalog = try test.open()
        try test.sql("INSERT INTO cameo.migrations (identifier) VALUES ('fromTheFuture')")
        #expect(throws: CatalogError.newerSchema(path: catalog.path, unknownMigrations: ["fromTheFuture"])) { try test.open() }
        #expect(throws: CatalogError.newerSchema(path: catalog.path, unknownMigrations: ["fromTheFuture"])) { try test.openForReading() }
    }

    @Test func refusesASchemaOfAnotherProgram() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        try test.sql("CREATE SCHEMA cameo; CREATE TABLE cameo.photos (id integer)")
        #expect {
            try test.open()
        } throws: { error in
            guard case .notACatalog(_, let detail) = error as? CatalogError else { return false }
            return detail.contains("another program")
        }
        #expect(try test.sql("SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'cameo'::regnamespace AND relkind = 'r'") == "photos")
    }

    @Test func readingAnEmptyDatabaseCreatesNothing() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        let catalog = try test.openForReading()
        #expect(!catalog.exists)
        #expect(try catalog.characters().isEmpty)
        #expect(try test.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cameo'") == "0")
    }

    @Test func migrationsAreAppliedOnceAndRecordedByName() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        for _ in 0..<3 { _ = try test.open() }
        #expect(try test.sql("SELECT string_agg(identifier, ',') FROM cameo.migrations") == PostgresSchema.migrations.map(\.name).joined(separator: ","))
    }

    /// Several machines write at once, so the rules hold in the database even
    /// for a client that is not cameo.
    @Test func theDatabaseEnforcesTheCatalogsRules() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        let catalog = try test.open()
        try catalog.add(makeCharacter("Duck"))
        try catalog.resolve("duck", to: NewIdentity(username: Username("quack")))
        let insert = "INSERT INTO cameo.character (alias, alias_key, source_url, window_start_ms, window_end_ms, created_at, updated_at)"
        let refused = [
            // The same key in another case or normalization.
            "\(insert) VALUES ('DUCK', 'duck', 'https://x/y.mp4', 0, 2000, now(), now())",
            // A key that is not cameo's lowercased NFC form.
            "\(insert) VALUES ('Goose', 'Goose', 'https://x/y.mp4', 0, 2000, now(), now())",
            "\(insert) VALUES ('cafe\u{301}', 'cafe\u{301}', 'https://x/y.mp4', 0, 2000, now(), now())",
            // A window longer than 3 seconds, a source that is not http(s).
            "\(insert) VALUES ('goose', 'goose', 'https://x/y.mp4', 0, 5000, now(), now())",
            "\(insert) VALUES ('goose', 'goose', 'file:///etc/passwd', 0, 2000, now(), now())",
            // A second active username for the character, a username another character has.
            """
            INSERT INTO cameo.identity (character_id, username, username_key, origin, state, created_at, updated_at)
            SELECT id, 'quack2', 'quack2', 'manual', 'active', now(), now() FROM cameo.character
            """,
            """
            INSERT INTO cameo.identity (character_id, username, username_key, origin, state, created_at, updated_at)
            SELECT id, 'QUACK', 'quack', 'manual', 'superseded', now(), now() FROM cameo.character
            """,
            // A word cameo does not know, a tag of no character.
            "UPDATE cameo.identity SET state = 'lost'",
            "INSERT INTO cameo.character_tag (character_id, tag) VALUES (999, 'pets')",
        ]
        for statement in refused {
            #expect(throws: PostgresCluster.ClusterError.self, "\(statement)") { try test.sql(statement) }
        }
        #expect(try catalog.characters().map(\.alias) == ["Duck"])
        #expect(try catalog.character(named: "duck").identities.map(\.username) == ["quack"])
    }

    @Test func locationFollowsLibpqConventions() throws {
        let scratch = try Scratch()
        let environment = ["HOME": scratch.path("home"), "PGUSER": "envuser"]
        let plain = try PostgresLocation.parse("postgres://ann@db.example.com:6543/team", environment: environment)
        #expect(plain.user == "ann" && plain.host == "db.example.com" && plain.port == 6543 && plain.database == "team")
        #expect(plain.sslMode == .prefer && plain.password == nil)
        #expect(plain.display == "postgres://ann@db.example.com:6543/team")
        let defaults = try PostgresLocation.parse("postgresql:///team?sslmode=require", environment: environment)
        #expect(defaults.user == "envuser" && defaults.host == "localhost" && defaults.port == 5432 && defaults.sslMode == .require)
        let socket = try PostgresLocation.parse("postgres://ann@%2Fvar%2Frun%2Fpostgresql/team", environment: environment)
        #expect(socket.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(throws: CatalogError.self) { try PostgresLocation.parse("postgres://ann@h/team?sslmode=sometimes", environment: environment) }

        // A password in the URL is used but never shown.
        let secret = "s3cret-in-url"
        let withPassword = try PostgresLocation.parse("postgres://ann:\(secret)@h:5432/team", environment: environment)
        #expect(withPassword.password == secret && !withPassword.display.contains(secret))
        #expect(!PostgresLocation.redacted("postgres://ann:\(secret)@h:5432/team").contains(secret))
        do {
            _ = try PostgresLocation.parse("postgres://ann:\(secret)@h:99999/team", environment: environment)
            Issue.record("a port beyond 65535 was accepted")
        } catch {
            #expect(!error.description.contains(secret))
        }
    }

    @Test func passwordComesFromPGPASSWORDThenThePasswordFile() throws {
        let scratch = try Scratch()
        let pgpass = try scratch.write("pgpass", """
            # host:port:database:user:password
            other.example.com:5432:*:ann:not-this-one
            db.example.com:*:team:ann:pa\\:ss\\\\word
            *:*:*:*:fallback

            """)
        chmod(pgpass, 0o600)
        let environment = ["HOME": scratch.path("home"), "PGPASSFILE": pgpass]
        #expect(try PostgresLocation.parse("postgres://ann@db.example.com/team", environment: environment).password == "pa:ss\\word")
        #expect(try PostgresLocation.parse("postgres://bob@db.example.com/team", environment: environment).password == "fallback")
        var withVariable = environment
        withVariable["PGPASSWORD"] = "from-env"
        #expect(try PostgresLocation.parse("postgres://ann@db.example.com/team", environment: withVariable).password == "from-env")
        // As libpq: a password file others may read is ignored.
        chmod(pgpass, 0o644)
        #expect(try PostgresLocation.parse("postgres://ann@db.example.com/team", environment: environment).password == nil)
    }
}
