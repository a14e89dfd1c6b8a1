import CameoMedia
import CameoMediaFacts
import Foundation

/// The person check as the commands use it: providers refuse a character
/// video that shows a real person, so cameo looks before the user pays.
enum PersonScreen {
    /// The check of each window, or nil (with a warning) when the detector is not installed:
    /// the rest of the command still has value without it. `analysis` lends the frames it decoded.
    static func check(_ clip: String, windows: [ClosedRange<Double>], timeout: Double,
                      reusing analysis: ClipAnalysis? = nil) throws -> [PersonCheckResult]? {
        do {
            return try PersonCheck.run(clip: clip, windows: windows, timeout: timeout, reusing: analysis)
        } catch MediaError.faceDetectorUnavailable(let reason) {
            Output.warning("\(MediaError.faceDetectorUnavailable(reason)); windows were not checked for people")
            return nil
        }
    }

    static func check(_ clip: String, window: ClosedRange<Double>, timeout: Double) throws -> PersonCheckResult? {
        try check(clip, windows: [window], timeout: timeout)?.first
    }

    /// Windows without a face first; the analysis's order otherwise.
    static func rank(_ windows: [RankedWindow], _ checks: [PersonCheckResult]?) -> [(window: RankedWindow, check: PersonCheckResult?)] {
        let paired = windows.enumerated().map { (window: $1, check: checks?[$0]) }
        return paired.filter { $0.check?.foundPerson != true } + paired.filter { $0.check?.foundPerson == true }
    }

    /// Warns when the window shows a face.
    static func warn(_ result: PersonCheckResult?, window: String, location: String) {
        guard let result, result.foundPerson else { return }
        Output.warning("window \(window) of \(location) shows a human face at \(result.faceTimesText): providers refuse character videos "
                       + "with real people; pick a window without one (`cameo windows \(location)`)")
    }
}
