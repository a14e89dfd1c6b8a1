import CameoPrompt
import CameoText
import Testing

extension Example {
    /// Where the example is written: a failing check on it points there.
    package var sourceLocation: SourceLocation {
        SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// The field paths (`duration`, `images[0]`) of a request body example
    /// that its markers stand before: a marker goes before a field's key or
    /// an array entry.
    package var markedFields: [String] {
        let paths = Self.fieldPaths(in: text)
        return markers.map { paths[$0] ?? "(no field at scalar \($0))" }
    }

    /// Where each top-level field's key and each entry of a top-level array
    /// starts in a JSON body, in Unicode scalars.
    static func fieldPaths(in json: String) -> [Int: String] {
        let scalars = Array(json.unicodeScalars)
        var paths: [Int: String] = [:]
        var position = 0, depth = 0, key = "", entry = 0
        var atKey = false, atEntry = false
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == "\"" {
                let start = position
                var text = ""
                position += 1
                while position < scalars.count, scalars[position] != "\"" {
                    if scalars[position] == "\\" { position += 1 }
                    if position < scalars.count { text.unicodeScalars.append(scalars[position]) }
                    position += 1
                }
                position += 1
                if depth == 1, atKey {
                    key = text
                    paths[start] = text
                    atKey = false
                } else if depth == 2, atEntry {
                    paths[start] = "\(key)[\(entry)]"
                    atEntry = false
                }
                continue
            }
            switch scalar {
            case "{":
                depth += 1
                atKey = depth == 1
            case "[":
                depth += 1
                if depth == 2 { entry = 0; atEntry = true }
            case "}", "]":
                depth -= 1
            case ",":
                if depth == 1 { atKey = true } else if depth == 2 { entry += 1; atEntry = true }
            default:
                if depth == 2, atEntry, !scalar.properties.isWhitespace {
                    paths[position] = "\(key)[\(entry)]"
                    atEntry = false
                }
            }
            position += 1
        }
        return paths
    }
}

extension Diagnostic {
    /// `text` with every finding's fix applied (findings about text only).
    package static func applying(_ diagnostics: [Diagnostic], to text: String) -> String {
        let edits = diagnostics.compactMap { diagnostic in diagnostic.replacement.flatMap { fix in diagnostic.range.map { ($0, fix) } } }
        var fixed = "", cursor = text.startIndex
        for (range, replacement) in edits.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) where range.lowerBound >= cursor {
            fixed += text[cursor..<range.lowerBound] + replacement
            cursor = range.upperBound
        }
        return fixed + text[cursor...]
    }
}
