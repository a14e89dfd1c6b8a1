import CameoTestSupport
import Foundation
import Testing

/// The conventions of `git`, `gh` and `cargo`: completions, did-you-mean,
/// one error style, colour and tables for other programs, `cameo config`.
@Suite struct ShellConventionTests {
    let scratch: Scratch
    let cli: CLI

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
    }

    func addDuck() throws {
        let added = try cli.run("add", "duck", "--url", "https://cdn.example.com/duck.mp4", "--window", "1,3", "--no-probe")
        #expect(added.status == 0, "\(added)")
    }

    func bash(_ script: String, in folder: String? = nil) throws -> CLI.Result {
        var environment = cli.environment
        environment["PATH"] = CLI.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let body = (folder.map { "cd '\($0)'\n" } ?? "") + script
        return try CLI.Running(executable: "/bin/bash", arguments: ["--norc", "--noprofile", "-c", body], environment: environment, stdin: nil)
            .finish(timeout: 60)
    }

    func writeConfig(_ text: String) throws -> String {
        let folder = scratch.path("home/config/cameo")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/config.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        return path
    }

    @Test func bashCompletesAliasesFromTheCatalogAndFilePaths() throws {
        try addDuck()
        try cli.run("add", "dodo", "--url", "https://cdn.example.com/dodo.mp4", "--window", "1,3", "--no-probe")
        try cli.run("add", "cookie", "--url", "https://cdn.example.com/c.mp4", "--window", "1,3", "--no-probe")
        let script = try cli.run("--generate-completion-script", "bash")
        #expect(script.status == 0, "\(script)")
        let path = try scratch.write("cameo.bash", script.stdout)
        let clips = scratch.path("clips")
        try FileManager.default.createDirectory(atPath: clips, withIntermediateDirectories: true)
        _ = try scratch.write("clips/shot-one.mp4", "")
        _ = try scratch.write("clips/notes.txt", "")

        // As bash calls a completion function: words so far, the word under the cursor and the one before.
        func complete(_ words: [String]) throws -> [String] {
            let quoted = words.map { "'\($0)'" }.joined(separator: " ")
            let result = try bash("""
                source '\(path)'
                COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
                COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
                COMPREPLY=()
                _cameo cameo "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """, in: clips)
            #expect(result.status == 0, "\(result)")
            return result.stdout.split(separator: "\n").map(String.init).sorted()
        }
        #expect(try complete(["cameo", "show", "d"]) == ["dodo", "duck"])
        #expect(try complete(["cameo", "rm", "co"]) == ["cookie"])
        #expect(try complete(["cameo", "request", "x", "--character", "du"]) == ["duck"])
        #expect(try complete(["cameo", "windows", "sho"]) == ["shot-one.mp4"])
        #expect(try complete(["cameo", "request", "x", "--model", ""]) == ["sora-2", "sora-2-pro"])
        #expect(try complete(["cameo", "import", "x", "--on-conflict", ""]) == ["fail", "replace", "skip"])
        #expect(try complete(["cameo", "lint", "--explain", "missing-"]) == ["missing-space"])
        // The command aliases: offered beside their commands, and completing as they do.
        #expect(try complete(["cameo", "l"]) == ["lint", "list", "ls"])
        #expect(try complete(["cameo", "re"]) == ["remove", "rename", "request", "resolve"])
        #expect(try complete(["cameo", "do"]) == ["doctor"])
        #expect(try complete(["cameo", "remove", "co"]) == ["cookie"])
        #expect(try complete(["cameo", "ls", "--t"]) == ["--tag"])
        #expect(try complete(["cameo", "doctor", "--j"]) == ["--json"])
    }

    @Test func zshAndFishScriptsAskTheCatalogForAliases() throws {
        for shell in ["zsh", "fish"] {
            let script = try cli.run("--generate-completion-script", shell)
            #expect(script.status == 0, "\(script)")
            #expect(script.stdout.contains("---completion show"), "\(shell)")
        }
        // The aliases, as zsh and fish offer commands (neither shell is installed here to run them).
        let zsh = try cli.run("--generate-completion-script=zsh").stdout
        #expect(zsh.contains("'ls:List characters") && zsh.contains("'remove:Remove a character") && zsh.contains("'doctor:Show where"), "\(zsh)")
        #expect(zsh.contains("|create|help|doctor|ls|remove)"), "\(zsh)")
        #expect(zsh.contains("_cameo_ls() {\n    _cameo_list \"$@\"\n}"), "\(zsh)")
        let fish = try cli.run("--generate-completion-script", "fish").stdout
        #expect(fish.contains("-eq 1' -fa 'ls' -d 'List characters") && fish.contains("-fa 'doctor' -d 'Show where"), "\(fish)")
        #expect(fish.contains("case 'list' 'ls'") && fish.contains("case 'rm' 'remove'") && fish.contains("set name 'config'"), "\(fish)")
        try addDuck()
        let listed = try cli.run("__aliases", "D")
        #expect(listed.stdout == "duck\n")
        #expect(!(try cli.run("--help")).stdout.contains("__aliases"))
    }

    /// cameo's command definitions as `--experimental-dump-help` prints them (what
    /// `scripts/manual` reads): the root, and its subcommands.
    func dumpedCommands() throws -> (root: [String: Any], commands: [[String: Any]]) {
        let dump = try cli.run("--experimental-dump-help")
        #expect(dump.status == 0, "\(dump)")
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let root = try #require(tool["command"] as? [String: Any])
        return (root, try #require(root["subcommands"] as? [[String: Any]]))
    }

    /// The commands `cameo --help` lists (ArgumentParser's own `help` is none of cameo's).
    static func displayed(_ commands: [[String: Any]]) -> [[String: Any]] {
        commands.filter { $0["shouldDisplay"] as? Bool != false && $0["commandName"] as? String != "help" }
    }

    /// `scripts/manual` writes the page from `cameo --experimental-dump-help`: the dump must
    /// succeed and name every command a file in `Sources/cameo/Commands` declares, with its
    /// aliases, and every command's help must print.
    @Test func theManualsSourceNamesEveryCommand() throws {
        let (root, commands) = try dumpedCommands()
        #expect(root["commandName"] as? String == "cameo")
        let dumped = Set(commands.compactMap { $0["commandName"] as? String })

        let folder = Repository.root.appendingPathComponent("Sources/cameo/Commands")
        var declared: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /commandName: "([^"]+)"/) { declared.insert(String(match.output.1)) }
        }
        #expect(declared.count >= 20, "\(declared)")
        #expect(declared.subtracting(dumped).isEmpty, "commands missing from the manual: \(declared.subtracting(dumped))")
        let aliases = Dictionary(uniqueKeysWithValues: commands.compactMap { command in
            (command["commandName"] as? String).map { ($0, command["aliases"] as? [String] ?? []) }
        })
        #expect(aliases["list"] == ["ls"] && aliases["rm"] == ["remove"] && aliases["config"] == ["doctor"], "\(aliases)")

        // `help` is ArgumentParser's own (`cameo help COMMAND`), not a command with a --help.
        for command in Self.displayed(commands) {
            let name = try #require(command["commandName"] as? String)
            #expect(!(command["abstract"] as? String ?? "").isEmpty, "\(name) has no abstract")
            let help = try cli.run(name, "--help")
            #expect(help.status == 0, "\(name): \(help)")
            #expect(help.stdout.contains("USAGE: cameo \(name)"), "\(name): \(help.stdout)")
        }
    }

    /// The manual page as `man` shows it: groff reads it without a warning, it fits in 80
    /// columns, and each command's name, aliases, usage, every line of its help text and every
    /// option's description are there, Chinese included (swift-argument-parser's generate-manual
    /// dropped every character beyond ASCII).
    @Test func theManualPageCarriesEveryCommandsTextAsWritten() throws {
        var environment = cli.environment
        environment["CAMEO"] = CLI.executable.path
        let page = try CLI.Running(executable: "/usr/bin/env", arguments: ["python3", Repository.root.appendingPathComponent("scripts/manual").path, "--print"],
                                   environment: environment, stdin: nil).finish(timeout: 60)
        #expect(page.status == 0, "\(page)")
        #expect(page.stdout.utf8.allSatisfy { $0 < 0x80 }, "the page is written in ASCII: no preconv needed")
        // -ww: every warning; -P-cbou: plain text, no overstriking.
        func render(_ options: String...) throws -> String {
            let rendered = try CLI.Running(executable: "/usr/bin/env", arguments: ["groff", "-mdoc", "-Tutf8", "-ww", "-P-cbou"] + options,
                                           environment: environment, stdin: page.stdout).finish(timeout: 60)
            #expect(rendered.status == 0 && rendered.stderr.isEmpty, "\(rendered.stderr)")
            return rendered.stdout
        }
        let wide = try render("-rLL=78n")
        let widest = wide.split(separator: "\n").max { $0.count < $1.count } ?? ""
        #expect(widest.count <= 80, "wider than 80 columns: \(widest)")
        // Compared with runs of spaces made one: tables are laid out anew. A wide line keeps each sentence on one line.
        func spaced(_ text: some StringProtocol) -> String { text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        let text = try render("-rLL=2000n").split(separator: "\n").map(spaced).joined(separator: "\n")
        #expect(text.contains("cameo compose '@duck在舞台上和@cookie牵手跳舞'"))

        let (root, commands) = try dumpedCommands()
        var checked = 0
        func expectText(of command: [String: Any], _ name: String) {
            for line in (command["discussion"] as? String ?? "").split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
                // A table's name and description may be laid out on lines of their own.
                for part in line.split(separator: /\ {2,}/) {
                    #expect(text.contains(spaced(part)), "\(name): \(line)")
                }
                checked += 1
            }
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
                let abstract = argument["abstract"] as? String ?? ""
                #expect(text.contains(spaced(abstract)), "\(name): \(abstract)")
                if let value = argument["defaultValue"] as? String, argument["kind"] as? String != "flag" {
                    #expect(text.contains(spaced(abstract) + " (") && text.contains("default: \(value))"), "\(name): \(abstract)'s default")
                }
                checked += 1
            }
        }
        expectText(of: root, "cameo")
        for command in Self.displayed(commands) {
            let name = try #require(command["commandName"] as? String)
            let aliases = (command["aliases"] as? [String] ?? []).map { "cameo \($0)" }
            let heading = "cameo \(name)" + (aliases.isEmpty ? "" : " (also \(aliases.joined(separator: ", ")))")
            #expect(text.contains("\n\(heading)\n"), "no section for \(name)")
            // The usage line, as `cameo help` starts it.
            #expect(text.contains("\ncameo \(name) "), "no usage line for \(name)")
            #expect(text.contains(spaced(try #require(command["abstract"] as? String))), "\(name)'s abstract")
            expectText(of: command, name)
        }
        #expect(text.contains("cameo add [--db path-or-url] alias --url url [--window start,end]"))
        #expect(checked > 300, "\(checked) lines")
        #expect(!text.contains("__aliases"))
    }

    @Test func mistypedCommandsGetADidYouMeanAndOneErrorStyle() throws {
        let typo = try cli.run("lsit")
        #expect(typo.status == 64)
        #expect(typo.stderr == "cameo: error: unknown command 'lsit'; did you mean `cameo list`? (`cameo --help` lists the commands)\n")
        for arguments in [["help", "lsit"], ["lsit", "--help"], ["lsit", "-h"], ["lsit", "--version"], ["--db", "x.sqlite", "lsit"]] {
            let help = try cli.run(arguments)
            #expect(help.status == 64, "\(arguments): \(help)")
            #expect(help.stdout.isEmpty, "\(arguments)")
            #expect(help.stderr.hasPrefix("cameo: error: unknown command 'lsit'"), "\(arguments): \(help.stderr)")
        }
        #expect(try cli.run("help").status == 0)
        #expect(try cli.run("--help").status == 0)
        let option = try cli.run("list", "--bogus")
        #expect(option.status == 64)
        #expect(option.stderr.hasPrefix("cameo: error: unknown option '--bogus'"))
        #expect(option.stderr.split(separator: "\n").count == 1)
        #expect(!option.stderr.contains("Error:"))
        #expect(try cli.run("help", "ls").status == 0)
    }

    @Test func aliasesOfCommandsAndDbBeforeTheCommand() throws {
        let other = scratch.path("other.sqlite")
        let added = try cli.run("--db", other, "add", "duck", "--url", "https://cdn.example.com/duck.mp4", "--window", "1,3", "--no-probe")
        #expect(added.status == 0, "\(added)")
        #expect(added.stderr.contains("created the catalog at \(other)"))
        #expect(try cli.run("--db=\(other)", "ls").stdout == "ALIAS\tWINDOW\tUSERNAME\tTAGS\nduck\t1,3\t-\t\n")
        #expect(try cli.run("ls").stdout.isEmpty)
        let removed = try cli.run("--db", other, "remove", "duck", "--yes")
        #expect(removed.status == 0, "\(removed)")
        // Only writing commands create a catalog.
        let missing = try cli.run("rm", "nobody", "--yes")
        #expect(missing.status == 2)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("catalog.sqlite")))
    }

    @Test func decliningTheRemoveConfirmationIsNotAnError() throws {
        try addDuck()
        var environment = cli.environment
        environment["CAMEO"] = CLI.executable.path
        // `script` gives cameo a terminal, as a person at the keyboard has.
        let result = try CLI.Running(executable: "/usr/bin/script", arguments: ["-qec", "\"$CAMEO\" rm duck", "/dev/null"],
                                     environment: environment, stdin: "n\n").finish(timeout: 60)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("nothing removed"))
        #expect(try cli.run("show", "duck").status == 0)
    }

    @Test func colourFollowsTheFlagThenForceColorThenNoColor() throws {
        func painted(_ arguments: [String], _ extra: [String: String]) throws -> Bool {
            var environment = cli.environment
            environment.removeValue(forKey: "NO_COLOR")
            environment.merge(extra) { $1 }
            let result = try CLI.Running(executable: CLI.executable.path, arguments: arguments, environment: environment, stdin: nil).finish()
            return result.stderr.contains("\u{1B}[")
        }
        #expect(try painted(["show", "nobody"], [:]) == false)
        #expect(try painted(["show", "nobody", "--color", "always"], [:]))
        #expect(try painted(["--color=always", "show", "nobody"], ["NO_COLOR": "1"]))
        #expect(try painted(["show", "nobody"], ["FORCE_COLOR": "1"]))
        #expect(try painted(["show", "nobody", "--color", "never"], ["FORCE_COLOR": "1"]) == false)
        #expect(try painted(["show", "nobody"], ["FORCE_COLOR": "1", "NO_COLOR": ""]))
        let bad = try cli.run("list", "--color", "sometimes")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--color must be auto, always or never"))
    }

    @Test func configShowsWhereEverythingComesFromWithoutTheKey() throws {
        let path = try writeConfig("""
            {"providers": {"acme": {"base_url": "https://api.acme.test", "api_key": "sk-file-secret-123", "modle": "sora-2"}},
             "default_provider": "acme", "timout": 5, "model": "sora-2-pro"}
            """)
        try addDuck()
        let text = try cli.run("config")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains(scratch.path("catalog.sqlite")))
        #expect(text.stdout.contains("1 character(s)"))
        #expect(text.stdout.contains("mode 600"))
        #expect(text.stdout.contains("acme (chosen by \(path) (default_provider))"))
        #expect(text.stdout.contains("set (from \(path))"))
        #expect(text.stdout.contains("did you mean \"providers.acme.model\"?"))
        #expect(text.stdout.contains("did you mean \"timeout\"?"))
        #expect(!text.stdout.contains("sk-file-secret") && !text.stderr.contains("sk-file-secret"))

        let doctor = try cli.run("doctor", "--json")
        #expect(doctor.status == 0, "\(doctor)")
        #expect(!doctor.stdout.contains("sk-file-secret"))
        let report = try #require(try json(doctor) as? [String: Any])
        let config = try #require(report["config"] as? [String: Any])
        #expect(config["mode"] as? String == "600")
        #expect((config["keys"] as? [String])?.contains("providers.acme.api_key") == true)
        let provider = try #require(report["provider"] as? [String: Any])
        #expect(provider["name"] as? String == "acme")
        #expect(provider["base_url_source"] as? String == path)
        #expect(provider["key_source"] as? String == path)
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts == ["errors": 0, "warnings": 2, "notes": 0])
        let ffmpeg = try #require(report["ffmpeg"] as? [String: Any])
        #expect(ffmpeg["available"] as? Bool == true)
        #expect((ffmpeg["libraries"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.contains("libavformat") == true)

        // A command that reads the config warns about the unknown keys too, with the path.
        let request = try cli.run("request", "@duck 跳舞", "--json")
        #expect(request.stderr.contains("\(path): unknown key \"timout\"; did you mean \"timeout\"?"), "\(request)")
    }

    @Test func theConfigGivesDefaultsForRequests() throws {
        _ = try writeConfig(#"{"model": "sora-2-pro", "duration": 15, "aspect_ratio": "9:16"}"#)
        try addDuck()
        try cli.run("resolve", "duck", "quackers.duck")
        let request = try cli.run("request", "@duck 跳舞", "--json")
        #expect(request.status == 0, "\(request)")
        let body = try #require(try json(request) as? [String: Any])
        #expect(body["model"] as? String == "sora-2-pro")
        #expect(body["duration"] as? String == "15")
        #expect(body["aspect_ratio"] as? String == "9:16")
        let flagged = try cli.run("request", "@duck 跳舞", "--model", "sora-2", "--json")
        #expect((try json(flagged) as? [String: Any])?["model"] as? String == "sora-2")
    }

    @Test func withoutAModelTheErrorNamesTheConfig() throws {
        try addDuck()
        let request = try cli.run("request", "@duck 跳舞")
        #expect(request.status == 64)
        #expect(request.stderr.contains("set \"model\" in \(scratch.path("home/config/cameo/config.json"))"), "\(request)")
    }

    @Test func aConfigThatIsNotJSONSaysWhereItBreaks() throws {
        let path = try writeConfig("{\"model\": \"sora-2\",\n  \"timeout\": }")
        let config = try cli.run("config")
        #expect(config.status == 1)
        #expect(config.stdout.contains("\(path) is not valid JSON: line 2, column 14"), "\(config)")
        let request = try cli.run("request", "hi", "--model", "sora-2")
        #expect(request.status == 4)
        #expect(request.stderr.contains(path) && request.stderr.contains("line 2, column 14"), "\(request)")
    }

    @Test func everyCommandsHelpHasExamples() throws {
        let root = try cli.run("--help")
        for variable in ["CAMEO_DB", "CAMEO_API_KEY", "CAMEO_BASE_URL", "CAMEO_PROVIDER", "NO_COLOR", "XDG_DATA_HOME", "XDG_CONFIG_HOME"] {
            #expect(root.stdout.contains(variable), "\(variable)")
        }
        let commands = ["config", "add", "list", "show", "edit", "rename", "rm", "resolve", "history", "export", "import", "undo", "trash",
                        "probe", "windows", "cut", "compose", "lint", "request", "send", "status", "create"]
        for command in commands {
            let help = try cli.run("help", command)
            #expect(help.status == 0, "\(command): \(help)")
            #expect(help.stdout.contains("EXAMPLES:\n  cameo "), "\(command): \(help.stdout)")
        }
        for command in ["compose", "lint"] {
            let help = try cli.run("help", command).stdout
            #expect(help.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(command) shows a Chinese prompt")
        }
    }

    @Test func aMissingFileIsTwoAndAnUnplayableClipIsFourForEveryCommand() throws {
        let missing = scratch.path("missing.mp4")
        let junk = try scratch.write("junk.mp4", "not a video")
        let url = "https://cdn.example.com/x.mp4"
        for (path, status) in [(missing, Int32(2)), (junk, Int32(4))] {
            for arguments in [["probe", path], ["probe", path, "--json"], ["windows", path], ["cut", path, "--window", "1,3", "-o", scratch.path("o.mp4")],
                              ["add", "x", "--url", url, "--window", "1,3", "--clip", path]] {
                let result = try cli.run(arguments)
                #expect(result.status == status, "\(arguments): \(result)")
            }
        }
    }

    @Test func errorsThatSendYouToTheConfigNameIt() throws {
        try addDuck()
        try cli.run("resolve", "duck", "quackers.duck")
        let config = scratch.path("home/config/cameo/config.json")
        let noURL = try cli.run("send", "@duck 跳舞", "--model", "sora-2")
        #expect(noURL.status == 64)
        #expect(noURL.stderr.contains("put base_url in \(config)"), "\(noURL)")
        let keyless = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"), extra: ["CAMEO_BASE_URL": "http://127.0.0.1:9"])
        let noKey = try keyless.run("send", "@duck 跳舞", "--model", "sora-2")
        #expect(noKey.status == 64)
        #expect(noKey.stderr.contains("put api_key in \(config)"), "\(noKey)")
    }
}
