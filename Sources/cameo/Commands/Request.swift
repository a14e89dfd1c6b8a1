import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoText
import Foundation

struct Request: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a generation request from a prompt and the catalog, check it against the spec, and print it.",
        discussion: "Any error: diagnostics on stderr, exit code 1, no body. --json prints exactly the bytes `send` would send.")

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RequestOptions

    @Flag(help: "Print exactly the body that would be sent (compact JSON).")
    var json = false

    @Flag(help: "Print a curl command that sends it, reading the key from $CAMEO_API_KEY.")
    var curl = false

    @Option(help: ArgumentHelp("The provider base URL for --curl (else CAMEO_BASE_URL or the config file).", valueName: "url"))
    var baseUrl: String?

    func validate() throws {
        if json, curl { throw ValidationError("give --json or --curl, not both") }
    }

    func run() throws {
        let built = try BuiltRequest.build(options, catalog: catalog.openForReading())
        built.report()
        guard !built.hasErrors else { throw SilentFailure(status: .findings) }
        let body = try built.request.jsonData()
        if curl {
            // Without a known base URL the command reads $CAMEO_BASE_URL when it runs.
            let config = try? ProviderConfig.load(environment: ProcessInfo.processInfo.environment, baseURLFlag: baseUrl)
            // C1 and bidi controls can only sit inside the body's JSON strings, where \uXXXX means the same.
            Output.line(TerminalText.jsonEscaped(CurlCommand.render(body: body, baseURL: config?.baseURL ?? baseUrl)))
        } else if json {
            Output.line(TerminalText.jsonEscaped(String(decoding: body, as: UTF8.self)))
        } else {
            Output.line(TerminalText.jsonEscaped(String(decoding: try built.request.jsonData(pretty: true), as: UTF8.self)))
        }
    }
}
