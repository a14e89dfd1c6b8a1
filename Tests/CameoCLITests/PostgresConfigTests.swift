import CameoTestSupport
import Foundation
import Testing

/// `cameo config` and shell completion on a team's PostgreSQL catalog.
@Suite struct PostgresConfigTests {
    @Test func configNamesTheServerItsSourceAndWhatItHolds() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        let cli = test.cli(home: scratch.path("home"))
        #expect(try cli.run("add", "duck", "--url", "https://cdn.example.com/d.mp4", "--window", "1,3", "--no-probe").status == 0)

        let doctor = try cli.run("config", "--json")
        #expect(doctor.status == 0, "\(doctor)")
        let report = try #require(try json(doctor) as? [String: Any])
        let catalog = try #require(report["catalog"] as? [String: Any])
        #expect(catalog["path"] as? String == test.location)
        #expect(catalog["source"] as? String == "$CAMEO_DB")
        #expect(catalog["kind"] as? String == "postgres")
        #expect(catalog["reachable"] as? Bool == true)
        #expect(catalog["exists"] as? Bool == true)
        #expect(catalog["characters"] as? Int == 1)
        let text = try cli.run("config")
        #expect(text.stdout.contains("\(test.location) (postgres, from $CAMEO_DB, 1 character(s))"), "\(text)")
    }

    /// The config's `catalog` entry chooses the catalog; a password in it is
    /// pointed out and never printed; a server that does not answer is an error.
    @Test func aConfiguredURLWithAPasswordIsWarnedAboutAndNeverShown() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        let password = try #require(test.environment["PGPASSWORD"])
        let withPassword = test.location.replacingOccurrences(of: "cameo@", with: "cameo:\(password)@")
        try FileManager.default.createDirectory(atPath: scratch.path("home/config/cameo"), withIntermediateDirectories: true)
        let config = try scratch.write("home/config/cameo/config.json", #"{"catalog": "\#(withPassword)"}"#)
        #expect(chmod(config, 0o600) == 0)
        let cli = CLI(home: scratch.path("home"), extra: ["PGSSLMODE": "disable"])

        let doctor = try cli.run("config", "--json")
        #expect(!doctor.stdout.contains(password) && !doctor.stderr.contains(password))
        let report = try #require(try json(doctor) as? [String: Any])
        let catalog = try #require(report["catalog"] as? [String: Any])
        #expect(catalog["source"] as? String == "config")
        #expect(catalog["reachable"] as? Bool == true)
        #expect(catalog["exists"] as? Bool == false)
        let issues = try #require(report["issues"] as? [[String: Any]])
        #expect(issues.contains { ($0["message"] as? String)?.contains("carries a password") == true && $0["severity"] as? String == "warning" })

        let closed = CLI(database: "postgres://cameo@127.0.0.1:1/none", home: scratch.path("other"), extra: ["PGSSLMODE": "disable"])
        let unreachable = try closed.run("config", "--json")
        #expect(unreachable.status == 1, "\(unreachable)")
        let down = try #require(try json(unreachable) as? [String: Any])
        #expect((down["catalog"] as? [String: Any])?["reachable"] as? Bool == false)
    }

    /// Whoever can change the config decides where the team's characters go:
    /// a group-writable config's `catalog` entry is refused by every kind of
    /// command, before anything connects or writes.
    @Test func aGroupWritableConfigsCatalogIsRefused() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        try FileManager.default.createDirectory(atPath: scratch.path("home/config/cameo"), withIntermediateDirectories: true)
        let config = try scratch.write("home/config/cameo/config.json", #"{"catalog": "\#(test.location)"}"#)
        #expect(chmod(config, 0o620) == 0)
        let cli = CLI(home: scratch.path("home"), extra: test.environment)

        for command in [["add", "duck", "--url", "https://cdn.example.com/d.mp4", "--window", "1,3", "--no-probe"], ["list"], ["undo"]] {
            let refused = try cli.run(command)
            #expect(refused.status == 4, "\(command): \(refused)")
            #expect(refused.stderr.hasPrefix("cameo: error: ") && refused.stderr.contains("can be changed by others (mode 620)"), "\(refused)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused)")
        }
        #expect(try test.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'cameo'") == "0")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("home/data/cameo/catalog.sqlite")))

        #expect(chmod(config, 0o600) == 0)
        let added = try cli.run("add", "duck", "--url", "https://cdn.example.com/d.mp4", "--window", "1,3", "--no-probe")
        #expect(added.status == 0, "\(added)")
        #expect(try test.sql("SELECT alias FROM cameo.character") == "duck")
    }

    @Test func completionListsAliasesFromTheServer() throws {
        let scratch = try Scratch()
        let cli = try TestCatalog(.postgres, in: scratch).cli(home: scratch.path("home"))
        for alias in ["Duck", "duckling", "goose"] {
            #expect(try cli.run("add", alias, "--url", "https://cdn.example.com/\(alias).mp4", "--window", "1,3", "--no-probe").status == 0)
        }
        let listed = try cli.run("__aliases", "du")
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout == "Duck\nduckling\n")
    }
}
