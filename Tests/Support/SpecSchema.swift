import CameoText
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
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body) else { return ["not JSON"] }
        return violations(value, schema, at: "body", strict: true)
    }

    private func violations(_ value: JSONValue, _ schema: [String: Any], at path: String, strict: Bool = false) -> [String] {
        var found: [String] = []
        if let type = schema["type"] as? String, !Self.matches(value, type) {
            return ["\(path) is not of type \(type)"]
        }
        if let options = schema["enum"] as? [Any] {
            let allowed = options.map { "\($0)" }
            if case .string(let text) = value, !allowed.contains(text) { found.append("\(path) = \(text) is not in \(allowed)") }
        }
        if case .object(let object) = value, let properties = schema["properties"] as? [String: Any] {
            for required in schema["required"] as? [String] ?? [] where object[required] == nil {
                found.append("\(path).\(required) is required")
            }
            for (key, member) in object {
                guard let memberSchema = properties[key] as? [String: Any] else {
                    if strict { found.append("\(path).\(key) is not in the schema") }
                    continue
                }
                found += violations(member, memberSchema, at: "\(path).\(key)")
            }
        }
        if case .array(let array) = value, let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { found += violations(item, items, at: "\(path)[\(index)]") }
        }
        return found
    }

    static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): true
        case ("integer", .number(let number)): number.rounded() == number
        case ("object", _), ("array", _), ("string", _), ("boolean", _), ("number", _), ("integer", _): false
        default: true
        }
    }
}
