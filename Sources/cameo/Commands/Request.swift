import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoText
import Foundation

struct Request: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Build a generation request from a prompt and the catalog, check it against the spec, and print it.",
        discussion: """
            Any error: diagnostics on stderr, exit code 1, no body (with --json, the findings as JSON instead). \
            --json prints exactly the bytes `send` would send.

            EXAMPLES:
              cameo request '@duck 跳舞' --model sora-2 --duration 10 --json
              cameo request '@duck runs' --character duck --curl
            """)

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RequestOptions

    @Flag(help: "Print exactly the body that would be sent (compact JSON).")
    var json = false

    @Flag(help: "Print a curl command that sends it, reading the key from the profile's key variable ($CAMEO_API_KEY) when it runs.")
    var curl = false

    @Option(help: ArgumentHelp("The provider profile whose rules and routes apply (else CAMEO_PROVIDER, else default_provider).", valueName: "name"))
    var provider: String?

    @Option(help: ArgumentHelp("The provider base URL for --curl (else CAMEO_BASE_URL or the profile).", valueName: "url"))
    var baseUrl: String?

    func validate() throws {
        if json, curl { throw ValidationError("give --json or --curl, not both") }
    }

    func run() throws {
        let config = try ConfigPath.load(baseURLFlag: baseUrl, providerFlag: provider)
        let built = try BuiltRequest.build(options, catalog: catalog.openForReading(), profile: config.profile)
        built.report()
        guard !built.hasErrors else {
            // With --json the findings take the body's place, so a script reads why there is none.
            if json {
                try Output.json(RequestLintDocument(request: built.requestFindings, prompt: built.promptFindings, provider: config.profile.name))
            }
            throw SilentFailure(status: .findings)
        }
        let body = try built.request.jsonData()
        if curl {
            // Without a known base URL the command reads $CAMEO_BASE_URL when it runs.
            if let base = config.baseURL { _ = try ProviderConfig.checkedBaseURL(base) }
            if let warning = config.plainTextWarning { Output.warning(warning) }
            // C1 and bidi controls can only sit inside the body's JSON strings, where \uXXXX means the same.
            Output.line(TerminalText.jsonEscaped(CurlCommand.render(body: body, baseURL: config.baseURL, path: config.profile.generationsPath,
                                                                    keyEnv: config.profile.keyEnv)))
        } else if json {
            Output.line(TerminalText.jsonEscaped(String(decoding: body, as: UTF8.self)))
        } else {
            Output.line(TerminalText.jsonEscaped(String(decoding: try built.request.jsonData(pretty: true), as: UTF8.self)))
        }
    }
}
