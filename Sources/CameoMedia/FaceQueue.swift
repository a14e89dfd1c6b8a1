import Foundation

/// The faces in the pictures handed over, found on a thread of its own as they
/// come once started, else all at once on the caller's thread when asked for.
final class FaceQueue: @unchecked Sendable {
    typealias Face = (x: Float, y: Float, width: Float, height: Float, score: Float)
    private let condition = NSCondition()
    private var waiting: [(key: Int, time: Double, image: RGBImage)] = []
    private var queued: Set<Int> = []
    private var found: [Int: (time: Double, faces: [Face])] = [:]
    private var failure: MediaError?
    /// The picture being looked at.
    private var current: Int?
    private var started = false, closed = false

    /// Looks at pictures on a thread of its own from now on (once; not after `close`).
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started, !closed else { return }
        started = true
        Thread { [self] in work() }.start()
    }

    /// A picture to look at, filed by its time's millisecond (once).
    func add(time: Double, _ image: RGBImage) {
        let key = SampleRule.key(time)
        condition.lock()
        if !queued.contains(key) {
            queued.insert(key)
            waiting.append((key, time, image))
            condition.signal()
        }
        condition.unlock()
    }

    /// Drops the pictures (by millisecond) no longer wanted that are not looked at yet.
    func forget(where unwanted: (Int) -> Bool) {
        condition.lock()
        waiting.removeAll { unwanted($0.key) }
        queued = Set(waiting.map(\.key)).union(found.keys).union(current.map { [$0] } ?? [])
        condition.unlock()
    }

    /// Nothing more will be asked: the thread ends.
    func close() {
        condition.lock()
        closed = true
        waiting = []
        condition.broadcast()
        condition.unlock()
    }

    /// The faces of the pictures filed under `keys`, once every picture handed over is looked at.
    func results(for keys: Set<Int>) throws(MediaError) -> [Int: (time: Double, faces: [Face])] {
        condition.lock()
        let threaded = started
        condition.unlock()
        // Whoever asks has finished decoding: the pictures left get every core.
        if let detector = try? FaceDetector.shared() { detector.runBesideDecoding(false) }
        while !threaded, let next = take() { look(at: next) }
        condition.lock()
        defer { condition.unlock() }
        while threaded, failure == nil, current != nil || !waiting.isEmpty { condition.wait() }
        if let failure { throw failure }
        return found.filter { keys.contains($0.key) }
    }

    private func take() -> (key: Int, time: Double, image: RGBImage)? {
        condition.lock()
        defer { condition.unlock() }
        guard failure == nil, !waiting.isEmpty else { return nil }
        let next = waiting.removeFirst()
        current = next.key
        return next
    }

    private func look(at picture: (key: Int, time: Double, image: RGBImage)) {
        let outcome = Result { () throws(MediaError) in try FaceDetector.shared().detect(picture.image) }
        condition.lock()
        switch outcome {
        case .success(let faces): found[picture.key] = (picture.time, faces)
        case .failure(let error):
            failure = error
            waiting = []
        }
        current = nil
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        // The decoder has the other core: the pictures come in while it decodes.
        (try? FaceDetector.shared())?.runBesideDecoding(true)
        while true {
            condition.lock()
            while waiting.isEmpty, !closed, failure == nil { condition.wait() }
            let done = closed || failure != nil
            condition.unlock()
            if done { return }
            if let next = take() { look(at: next) }
        }
    }
}
