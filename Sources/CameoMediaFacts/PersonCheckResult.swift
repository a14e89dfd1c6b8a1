import CameoText
import Foundation

/// What the person check saw in one window: the frames it looked at and the
/// faces in them. Kept with a character, so that a later request can say
/// whether the provider will refuse it, without reading the clip again.
public struct PersonCheckResult: Codable, Equatable, Sendable {
    public var detector: String
    public var version: String
    /// Seconds of the frames checked.
    public var frames: [Double]
    public var faces: [FaceSighting]

    public init(detector: String, version: String, frames: [Double], faces: [FaceSighting]) {
        self.detector = detector
        self.version = version
        self.frames = frames
        self.faces = faces
    }

    /// A result as the catalog stores it; nil when the text is not one.
    public init?(json: String) {
        guard let result = try? JSONDecoder().decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = result
    }

    /// The form the catalog stores.
    public func json() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    public var foundPerson: Bool { !faces.isEmpty }

    /// The distinct times at which a face was seen, earliest first.
    public var faceTimes: [Double] { Array(Set(faces.map(\.time))).sorted() }

    /// "0.5, 1.167 s"
    public var faceTimesText: String {
        faceTimes.map(Seconds.format).joined(separator: ", ") + " s"
    }
}

/// A face seen in a frame: where (pixels of the frame as a player shows it) and how sure.
public struct FaceSighting: Codable, Equatable, Sendable {
    /// Seconds from the clip's first shown frame.
    public var time: Double
    /// x, y, width, height.
    public var box: [Int]
    public var score: Double

    public init(time: Double, box: [Int], score: Double) {
        self.time = time
        self.box = box
        self.score = score
    }
}
