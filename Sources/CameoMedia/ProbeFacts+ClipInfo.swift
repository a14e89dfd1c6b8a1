import CameoMediaFacts
import CameoText
import Foundation

extension ProbeFacts {
    /// What the catalog keeps of a probe: `info` as `cameo probe --json`
    /// prints it, read back by `ProbeFacts(json:)`.
    public init(_ info: ClipInfo) throws {
        self.init(duration: info.duration, json: String(decoding: try CanonicalJSON.encode(info), as: UTF8.self))
    }
}
