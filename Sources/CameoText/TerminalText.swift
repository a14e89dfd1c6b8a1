/// Untrusted text (what a provider said, a file name, a catalog note) made
/// safe to show on a terminal: control characters (C0, DEL, C1, so every
/// escape sequence) and bidi controls are shown escaped as `\u{…}`, so they
/// can neither move the cursor, recolour, retitle, nor reorder what follows.
public enum TerminalText {
    public static func escape(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
