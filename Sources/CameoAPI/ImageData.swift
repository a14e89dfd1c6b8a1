import Foundation

/// Recognises images by their first bytes, so a base64 entry is checked for what it holds.
public enum ImageData {
    public enum Verdict: Equatable, Sendable {
        case image(mimeType: String)
        case notAnImage(String)
    }

    public static func mimeType(of data: Data) -> String? {
        let bytes = [UInt8](data.prefix(12))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    /// An entry of `images` that is not a URL: a `data:` URI or bare base64.
    public static func check(_ entry: String) -> Verdict {
        var payload = Substring(entry)
        var declared: String?
        if entry.hasPrefix("data:") {
            guard let comma = entry.firstIndex(of: ","), entry[..<comma].hasSuffix(";base64") else {
                return .notAnImage("a data: URI that is not base64")
            }
            declared = String(entry[entry.index(entry.startIndex, offsetBy: 5)..<comma].dropLast(7))
            payload = entry[entry.index(after: comma)...]
        }
        guard !payload.isEmpty, let data = Data(base64Encoded: String(payload)) else {
            return .notAnImage(entry.hasPrefix("data:") ? "a data: URI whose base64 is broken" : "neither an http(s) URL nor base64")
        }
        guard let mime = mimeType(of: data) else { return .notAnImage("base64 of something that is not a PNG, JPEG, GIF or WebP image") }
        if let declared, declared != mime { return .notAnImage("labelled \(declared) but holds \(mime)") }
        return .image(mimeType: mime)
    }

    /// A local image file as the `data:` URI the API accepts.
    public static func dataURI(forFile path: String) throws(APIError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw .badImage(path, "cannot be read") }
        guard let mime = mimeType(of: data) else { throw .badImage(path, "is not a PNG, JPEG, GIF or WebP image") }
        return "data:\(mime);base64,\(data.base64EncodedString())"
    }
}
