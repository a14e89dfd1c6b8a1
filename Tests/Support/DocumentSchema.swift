import CameoText
import Foundation

/// A JSON Schema from the repository's schemas/ folder, and a validator for
/// the part of JSON Schema those files use: type (one or a list), enum,
/// required, properties, additionalProperties: false, items, minItems,
/// maxItems, minimum and `$ref` to another file of the folder.
public struct DocumentSchema {
    public static let folder = Repository.root.appendingPathComponent("schemas")

    public let name: String
    let schema: [String: Any]

    public enum LoadError: Error { case notAnObject(String) }

    /// `name` is the file's name without `.schema.json`: `lint`, `finding`.
    public init(_ name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("\(name).schema.json"))
        guard let schema = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw LoadError.notAnObject(name) }
        self.init(schema, name: name)
    }

    /// A schema read from elsewhere (the spec file's request body).
    public init(_ schema: [String: Any], name: String) {
        self.name = name
        self.schema = schema
    }

    /// Every way `document` breaks the schema; empty when it is valid.
    public func violations(of document: Data) throws -> [String] {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: document) else { return ["not JSON"] }
        return try violations(value, schema, at: "$")
    }

    private func violations(_ value: JSONValue, _ schema: [String: Any], at path: String) throws -> [String] {
        if let reference = schema["$ref"] as? String {
            let referenced = try DocumentSchema(String(reference.dropLast(".schema.json".count)))
            return try referenced.violations(value, referenced.schema, at: path)
        }
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [type as? String].compactMap { $0 }
            guard types.contains(where: { Self.matches(value, $0) }) else { return ["\(path) is not of type \(types.joined(separator: " or "))"] }
        }
        var found: [String] = []
        if let options = schema["enum"] as? [Any] {
            let allowed = options.compactMap { $0 as? String }
            if case .string(let text) = value, !allowed.contains(text) { found.append("\(path) = \(text) is not one of \(allowed)") }
            if case .string = value {} else { found.append("\(path) is not one of \(allowed)") }
        }
        if let minimum = schema["minimum"] as? Double, case .number(let number) = value, number < minimum {
            found.append("\(path) = \(number) is below \(minimum)")
        }
        if case .object(let object) = value {
            for required in schema["required"] as? [String] ?? [] where object[required] == nil {
                found.append("\(path).\(required) is required")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                guard let memberSchema = properties[key] as? [String: Any] else {
                    if schema["additionalProperties"] as? Bool == false { found.append("\(path).\(key) is not in the schema") }
                    continue
                }
                found += try violations(member, memberSchema, at: "\(path).\(key)")
            }
        }
        if case .array(let array) = value {
            if let least = schema["minItems"] as? Int, array.count < least { found.append("\(path) has fewer than \(least) items") }
            if let most = schema["maxItems"] as? Int, array.count > most { found.append("\(path) has more than \(most) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { found += try violations(item, items, at: "\(path)[\(index)]") }
            }
        }
        return found
    }

    static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number), ("null", .null): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }
}
