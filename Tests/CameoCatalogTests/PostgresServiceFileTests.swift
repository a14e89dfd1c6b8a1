@testable import CameoCatalog
import CameoTestSupport
import Foundation
import Testing

/// libpq's connection service files (`service=` / PGSERVICE): against the
/// real cluster, and as untrusted files.
@Suite struct PostgresServiceFileTests {
    let scratch: Scratch
    let cluster: PostgresCluster
    let database: String

    init() throws {
        scratch = try Scratch()
        cluster = try PostgresCluster.start()
        database = try cluster.createDatabase("svc")
    }

    /// A service that reaches this test's database, password included.
    var team: String {
        """
        # the team's catalog
        [team]
        host=127.0.0.1
        port=\(cluster.port)
        user=\(cluster.user)
        dbname=\(database)
        password=\(cluster.password)
        sslmode=disable

        """
    }

    func environment(_ extra: [String: String]) -> [String: String] {
        ["HOME": scratch.path("home")].merging(extra) { $1 }
    }

    /// Opens the catalog, adds a character and reads it back through a new connection.
    func connects(_ url: String, _ environment: [String: String]) throws {
        let catalog = try CatalogStores.open(url, environment: environment)
        #expect(!catalog.path.contains(cluster.password))
        try catalog.add(makeCharacter("duck\(UUID().uuidString.prefix(6).lowercased())"))
    }

    @Test func aServiceEntryReachesTheServerWithItsPassword() throws {
        let file = try scratch.write("services.conf", team)
        try connects("postgres:///?service=team", environment(["PGSERVICEFILE": file]))
        try connects("postgres://", environment(["PGSERVICEFILE": file, "PGSERVICE": "team"]))
        #expect(try cluster.psql("SELECT count(*) FROM cameo.character", database: database) == "2")
        // The user's file is ~/.pg_service.conf unless PGSERVICEFILE says otherwise.
        try FileManager.default.createDirectory(atPath: scratch.path("home"), withIntermediateDirectories: true)
        _ = try scratch.write("home/.pg_service.conf", team)
        try connects("postgresql://?service=team", environment([:]))
    }

    /// libpq's order: the URL's own parts, then the service, then PG* variables, then defaults.
    @Test func theURLBeatsTheServiceWhichBeatsTheEnvironment() throws {
        let file = try scratch.write("services.conf", team + """
            [elsewhere]
            host=127.0.0.1
            port=\(cluster.port)
            user=\(cluster.user)
            dbname=no_such_database
            password=not-the-password
            sslmode=disable

            """)
        // Variables that would fail, each overridden by the service.
        let failing = ["PGSERVICEFILE": file, "PGPORT": "1", "PGDATABASE": "no_such_database", "PGPASSWORD": "wrong", "PGSSLMODE": "require"]
        try connects("postgres://?service=team", environment(failing))
        // The URL's database and password beat the service's.
        let url = "postgres://\(cluster.user):\(cluster.password)@127.0.0.1/\(database)?service=elsewhere"
        try connects(url, environment(["PGSERVICEFILE": file]))
        // What the service leaves out comes from the variables.
        let partial = try scratch.write("partial.conf", "[partial]\nhost=127.0.0.1\nsslmode=disable\n")
        try connects("postgres://?service=partial", environment([
            "PGSERVICEFILE": partial, "PGPORT": String(cluster.port), "PGUSER": cluster.user, "PGDATABASE": database, "PGPASSWORD": cluster.password,
        ]))
        let location = try PostgresLocation.parse("postgres://?service=partial", environment: environment(["PGSERVICEFILE": partial]))
        #expect(location.host == "127.0.0.1" && location.port == 5432 && location.sslMode == .disable)
    }

    @Test func theSystemFileIsReadWhenTheUsersLacksTheService() throws {
        let system = scratch.path("etc")
        try FileManager.default.createDirectory(atPath: system, withIntermediateDirectories: true)
        _ = try scratch.write("etc/pg_service.conf", team + "[mine]\nhost=system.example.com\n")
        let user = try scratch.write("user.conf", "[mine]\nhost=user.example.com\n")
        let environment = environment(["PGSERVICEFILE": user, "PGSYSCONFDIR": system])
        try connects("postgres://?service=team", environment)
        // The same name in both: the user's file wins.
        #expect(try PostgresLocation.parse("postgres://?service=mine", environment: environment).host == "user.example.com")
    }

    @Test func anUnknownServiceIsNamedWithAGuess() throws {
        let file = try scratch.write("services.conf", team)
        #expect {
            try PostgresLocation.parse("postgres://?service=taem", environment: environment(["PGSERVICEFILE": file, "PGSYSCONFDIR": scratch.path("none")]))
        } throws: { error in
            let text = (error as? CatalogError)?.description ?? ""
            return text.contains("no service \"taem\" in \(file) or \(scratch.path("none"))/pg_service.conf; did you mean \"team\"?")
                && !text.contains(cluster.password)
        }
    }

    /// A malformed line is named by file and line, never quoted: the line next to it may hold a password.
    @Test(arguments: [
        ("[team]\npassword=hunter2-secret\nhunter2-secret\n", ":3: this line is neither [name], key=value nor a # comment"),
        ("password=hunter2-secret\n[team]\n", ":1: a setting comes before any [name] section"),
        ("[team]\npassword=hunter2-secret\n[broken\n", ":3: a section must be written [name]"),
        ("[team]\npassword=hunter2-secret\nsslcert=/x\n", ":3: cameo does not know the setting \"sslcert\""),
    ])
    func aMalformedFileIsRefusedByFileAndLine(_ text: String, _ expected: String) throws {
        let file = try scratch.write("bad.conf", text)
        #expect {
            try PostgresLocation.parse("postgres://?service=team", environment: environment(["PGSERVICEFILE": file]))
        } throws: { error in
            guard let error = error as? CatalogError, error.category == .catalogUnusable else { return false }
            return error.description.contains(file + expected) && !error.description.contains("hunter2")
        }
    }

    @Test func anOversizedOrBinaryFileIsRefused() throws {
        let big = try scratch.write("big.conf", "[team]\n" + String(repeating: "# padding\n", count: 110_000))
        #expect(throws: CatalogError.self) { try PostgresLocation.parse("postgres://?service=team", environment: environment(["PGSERVICEFILE": big])) }
        let binary = scratch.path("binary.conf")
        try Data([0x5B, 0xFF, 0xFE, 0x5D]).write(to: URL(fileURLWithPath: binary))
        #expect {
            try PostgresLocation.parse("postgres://?service=team", environment: environment(["PGSERVICEFILE": binary]))
        } throws: { error in
            (error as? CatalogError)?.description.contains("is not UTF-8 text") == true
        }
    }
}
