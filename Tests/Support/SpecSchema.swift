import Foundation
import Yams

/// The request body's JSON Schema, read from the spec file itself (not retyped),
/// and a validator for the part of JSON Schema it uses.
public struct SpecSchema {
    public let schema: [String: Any]

    public enum LoadError: Error { case noYAML, noSchema }

    public init(file: String = Repository.root.appendingPathComponent("spec/sora2-cameo-openapi.md").path) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        guard let start = text.range(of: "```yaml\n"), let end = text.range(of: "\n```", range: start.upperBound..<text.endIndex) else {
            throw LoadError.noYAML
        }
        let document = try Yams.load(yaml: String(text[start.upperBound..<end.lowerBound]))
        let path = ["paths", "/v2/videos/generations", "post", "requestBody", "content", "application/json", "schema"]
        var node: Any? = document
        for key in path { node = (node as? [String: Any])?[key] }
        guard let schema = node as? [String: Any] else { throw LoadError.noSchema }
        self.schema = schema
    }

    /// Every way `body` breaks the schema (empty when it is valid). Fields the
    /// schema does not name count as breaking it: cameo sends exactly the spec's fields.
    public func violations(of body: Data) -> [String] {
        var strict = schema
        strict["additionalProperties"] = false
        return (try? DocumentSchema(strict, name: "request body").violations(of: body)) ?? ["the schema has a $ref cameo cannot follow"]
    }
}
