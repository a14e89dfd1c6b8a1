import CameoTestSupport
import Foundation
import GRDB
import Testing

/// Issue 9 "Data" and issue 14 "Catalog reads", through the command line, on
/// real files, real devices, a real read-only mount and a real SQLite catalog.
/// cameo runs as root here, so "read-only" is proved with a read-only bind
/// mount in a private mount namespace (`unshare -m`), which root cannot write
/// either, and "writes nothing" with strace.
@Suite(.serialized) struct CatalogSafetyTests {
    let scratch: Scratch
    let catalogPath: String
    let cli: CLI

    init() throws {
        scratch = try Scratch()
        catalogPath = scratch.path("catalog.sqlite")
        cli = CLI(database: catalogPath, home: scratch.path("home"))
    }

    /// Runs a bash script with the test's environment and `$CAMEO` set to the binary.
    func shell(_ script: String) throws -> CLI.Result {
        var environment = cli.environment
        environment["CAMEO"] = CLI.executable.path
        return try CLI.Running(executable: "/bin/bash", arguments: ["-c", script], environment: environment, stdin: nil).finish(timeout: 120)
    }

    /// `count` characters (an export of 300 is about 200 KB, more than a pipe holds).
    func populate(_ count: Int = 300) throws {
        var entries: [String] = []
        for index in 0..<count {
            entries.append("""
                {"alias":"c\(index)","source_url":"https://cdn.example.com/\(index).mp4","window":{"start":1,"end":3},\
                "notes":"note \(index)","tags":["t"],"usernames":[{"username":"user.\(index)","state":"active","origin":"manual"}]}
                """)
        }
        let file = try scratch.write("seed.json", "{\"version\":1,\"characters\":[" + entries.joined(separator: ",") + "]}")
        let result = try cli.run("import", file)
        #expect(result.status == 0, "\(result)")
        try FileManager.default.removeItem(atPath: file)
    }

    @Test func stdoutThatCannotBeWrittenIsAnErrorAndAClosedPipeIsNot() throws {
        try populate()
        for command in ["\"$CAMEO\" export", "\"$CAMEO\" list --json", "\"$CAMEO\" list", "\"$CAMEO\" show c1"] {
            let full = try shell("\(command) > /dev/full")
            #expect(full.status == 4, "\(command): \(full)")
            #expect(full.stderr.contains("cameo: error: cannot write to stdout: No space left on device"), "\(command): \(full)")
            let piped = try shell("\(command) | head -c 1 > /dev/null; echo \"${PIPESTATUS[0]}\"")
            #expect(piped.stdout == "0\n", "\(command): \(piped)")
            #expect(piped.stderr.isEmpty, "\(command): \(piped)")
        }
        let device = try cli.run("export", "--out", "/dev/full")
        #expect(device.status == 4)
        #expect(device.stderr.contains("cannot write /dev/full: No space left on device"))
    }

    @Test func outFilesAreReplacedWholeThroughSymlinksKeepingTheirMode() throws {
        try populate(5)
        let expected = try cli.run("export").stdout
        #expect(expected.contains("\"c4\""))
        let manager = FileManager.default

        let target = try scratch.write("target.json", "old")
        try manager.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)
        try manager.createSymbolicLink(atPath: scratch.path("link.json"), withDestinationPath: "target.json")
        // Replacing a file takes --force (issue 11: an export does not overwrite by accident).
        #expect(try cli.run("export", "--out", scratch.path("link.json"), "--force").status == 0)
        #expect(try manager.destinationOfSymbolicLink(atPath: scratch.path("link.json")) == "target.json")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == expected)
        #expect(try manager.attributesOfItem(atPath: target)[.posixPermissions] as? Int == 0o640)

        // New files holding catalog data are the user's alone, also at the end of a dangling link.
        try manager.createSymbolicLink(atPath: scratch.path("dangling.json"), withDestinationPath: "made.json")
        for name in ["new.json", "dangling.json"] {
            #expect(try cli.run("export", "--out", scratch.path(name)).status == 0)
        }
        for name in ["new.json", "made.json"] {
            #expect(try manager.attributesOfItem(atPath: scratch.path(name))[.posixPermissions] as? Int == 0o600)
            #expect(try String(contentsOfFile: scratch.path(name), encoding: .utf8) == expected)
        }

        // Devices are written directly.
        #expect(try cli.run("export", "--out", "/dev/null").status == 0)
        let stdout = try cli.run("export", "--out", "/dev/stdout")
        #expect(stdout.status == 0)
        #expect(stdout.stdout == expected)
        #expect(try manager.contentsOfDirectory(atPath: scratch.url.path).filter { $0.contains(".cameo-") }.isEmpty)
    }

    @Test func aFullDiskLeavesTheOldFileAsItWas() throws {
        try populate()
        let folder = scratch.path("small")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let result = try shell("""
            unshare -m bash -c 'mount -t tmpfs -o size=64k tmpfs "\(folder)" && printf old > "\(folder)/export.json" &&
              "$CAMEO" export --force --out "\(folder)/export.json"; echo "status=$?"; cat "\(folder)/export.json"; echo; ls -A "\(folder)"'
            """)
        #expect(result.stdout == "status=4\nold\nexport.json\n", "\(result)")
        #expect(result.stderr.contains("cannot write \(folder)/export.json: No space left on device"), "\(result)")
    }

    @Test func readOnlyCommandsNeitherWriteNorSyncNorLockTheCatalog() throws {
        try populate(20)
        #expect(try cli.run("resolve", "c1", "new.one").status == 0)
        try DatabaseQueue(path: catalogPath).write { db in
            try db.execute(sql: "INSERT INTO submission (characterId, endpoint, requestBody, state, createdAt, updatedAt) VALUES (1, '/v', '{}', 'submitted', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')")
        }
        #expect(try cli.run("show", "c1").status == 0)  // after a foreign writer: cameo's reader makes SQLite's files once
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        let catalogBytes = try Data(contentsOf: URL(fileURLWithPath: catalogPath))
        let commands: [[String]] = [
            ["show", "c1"], ["show", "c1", "--json"], ["list"], ["list", "--json"], ["list", "--tag", "t", "note"],
            ["compose", "@c1 跳舞"], ["lint", "@c1 跳舞 @c2x"], ["request", "@c1 跳舞", "--model", "sora-2", "--json"],
            ["export"], ["history"], ["history", "--json"], ["show", "nobody"],
        ]
        for command in commands {
            let trace = scratch.path("trace.txt")
            let traced = try CLI.Running(
                executable: "/usr/bin/strace",
                arguments: ["-f", "-y", "-o", trace, "-e", "trace=write,pwrite64,pwritev,pwritev2,ftruncate,fsync,fdatasync,sync_file_range,flock,fcntl",
                            CLI.executable.path] + command,
                environment: cli.environment, stdin: nil).finish(timeout: 120)
            let status = command == ["show", "nobody"] ? 2 : command[0] == "lint" ? 1 : 0
            #expect(traced.status == status, "\(command): \(traced)")
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            let catalogLines = lines.filter { $0.contains("catalog.sqlite") }
            #expect(!catalogLines.isEmpty, "\(command): strace saw no catalog access")
            let writes = catalogLines.filter { line in
                ["write(", "pwrite64(", "pwritev", "ftruncate(", "F_SETLKW", "flock("].contains { line.contains($0) }
                    || (line.contains("F_SETLK") && line.contains("F_WRLCK"))
            }
            #expect(writes.isEmpty, "\(command): \(writes)")
            let syncs = lines.filter { $0.contains("fsync(") || $0.contains("fdatasync(") || $0.contains("sync_file_range(") }
            #expect(syncs.isEmpty, "\(command): \(syncs)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted().filter { $0 != "trace.txt" } == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: catalogPath)) == catalogBytes)
    }

    @Test func aCatalogOnAReadOnlyMountCanBeListedComposedAndExported() throws {
        try populate(20)
        let expected = try cli.run("export").stdout
        // Twice: with the WAL files a writer leaves, and without them (a catalog
        // from an older cameo): neither may be created on a read-only mount.
        for withoutWALFiles in [false, true] {
            if withoutWALFiles {
                for suffix in ["-wal", "-shm"] { try FileManager.default.removeItem(atPath: catalogPath + suffix) }
            }
            let folder = scratch.url.path
            let result = try shell("""
                unshare -m bash -c 'mount --bind "\(folder)" "\(folder)" && mount -o remount,bind,ro "\(folder)" &&
                  ! touch "\(folder)/probe" 2>/dev/null &&
                  "$CAMEO" list --json > "/tmp/cameo-ro-list-$$.json" && "$CAMEO" compose "@c1 跳舞" && "$CAMEO" show c2 --json | head -c 20 && echo &&
                  "$CAMEO" export; echo "status=$?"; cat "/tmp/cameo-ro-list-$$.json" | head -c 40; rm -f "/tmp/cameo-ro-list-$$.json"'
                """)
            #expect(result.stdout.hasPrefix("@user.1 跳舞\n{\n  \"alias\" : \"c2\",\n"), "\(result)")
            #expect(result.stdout.contains(expected + "status=0\n[\n  {"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: scratch.path("probe")))
            #expect(FileManager.default.fileExists(atPath: catalogPath + "-wal") == !withoutWALFiles)
        }
    }

    @Test func unreadableRowsAreNamedAndCanBeRemovedOrLeftOut() throws {
        try populate(3)
        try DatabaseQueue(path: catalogPath).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE character SET createdAt = '10000-01-01 00:00:00.000' WHERE alias = 'c1'")
            try db.execute(sql: "UPDATE character SET windowStartMs = 2000, windowEndMs = 2500 WHERE alias = 'c2'")
        }
        for command in [["list"], ["list", "--json"], ["show", "c1"], ["show", "c2"]] {
            let result = try cli.run(command)
            #expect(result.status == 5, "\(command): \(result)")
            #expect(result.stderr.hasPrefix("cameo: error: cannot read character #"), "\(command): \(result)")
            #expect(result.stdout.isEmpty)
        }
        let export = try cli.run("export")
        #expect(export.status == 5)
        #expect(export.stderr.contains("\"c1\"") && export.stderr.contains("createdAt") && export.stderr.contains("\"c2\""))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        #expect((document["characters"] as? [[String: Any]])?.compactMap { $0["alias"] as? String } == ["c0"])
        for alias in ["c1", "c2"] {
            let removed = try cli.run("rm", alias, "--yes")
            #expect(removed.status == 0, "\(removed)")
        }
        #expect(try cli.run("list").status == 0)
    }

    /// SQLite converts between storage classes on reading: a blob where cameo
    /// writes text would read as its bytes (or as empty text), text where it
    /// writes a number as 0. Such a row is named like any other broken one.
    @Test func aValueOfTheWrongStorageClassIsUnreadable() throws {
        try populate(3)
        try DatabaseQueue(path: catalogPath).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE character SET sourceURL = X'' WHERE alias = 'c0'")
            try db.execute(sql: "UPDATE character SET notes = CAST('a note' AS BLOB) WHERE alias = 'c1'")
            try db.execute(sql: "UPDATE character SET windowStartMs = 'soon' WHERE alias = 'c2'")
        }
        for (alias, column) in [("c0", "sourceURL"), ("c1", "notes"), ("c2", "windowStartMs")] {
            let result = try cli.run("show", alias)
            #expect(result.status == 5, "\(alias): \(result)")
            #expect(result.stderr.hasPrefix("cameo: error: cannot read character #"), "\(alias): \(result)")
            #expect(result.stderr.contains("(\"\(alias)\")") && result.stderr.contains(column), "\(alias): \(result)")
            #expect(result.stdout.isEmpty)
        }
        let listed = try cli.run("list", "--json")
        #expect(listed.status == 5 && listed.stderr.contains("a blob of 0 bytes"), "\(listed)")
    }

    @Test func thirtyTwoProcessesCreatingOneCatalogAllSucceed() throws {
        let path = scratch.path("new/first-use.sqlite")
        let runs = try (0..<32).map { index in
            try cli.start(["add", "p\(index)", "--db", path, "--url", "https://cdn.example.com/\(index).mp4", "--window", "1,3", "--no-probe"])
        }
        let results = try runs.map { try $0.finish(timeout: 120) }
        let failed = results.filter { $0.status != 0 }
        #expect(failed.isEmpty, "\(failed.count) failed: \(failed.prefix(2))")
        #expect(try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM character") } == 32)
    }
}
