import CCurlLoader
import Foundation

/// A point in time on the monotonic clock by which a whole exchange (or a
/// whole wait) must end, whatever the server does: one deadline, not a
/// timeout per read, so an answer dripped a byte at a time still ends.
public struct Deadline: Sendable {
    private let end: UInt64

    public init(seconds: Double) {
        let bounded = seconds.isFinite ? min(max(seconds, 0), 86_400 * 365) : 86_400 * 365
        end = DispatchTime.now().uptimeNanoseconds + UInt64(bounded * 1_000_000_000)
    }

    public var remaining: Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= end ? 0 : Double(end - now) / 1_000_000_000
    }

    public var passed: Bool { remaining <= 0 }
}

/// An answer that arrived completely.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: Data
    public var retryAfter: String?
    public var contentType: String?
    /// Where a 30x pointed.
    public var location: String?
    public var contentLength: Int64?
}

/// Why an exchange has no complete answer, split by the one thing that
/// matters for money: whether any of the request left this machine.
public enum HTTPFailure: Error, Sendable {
    /// Nothing was written: connection refused, no route, DNS, TLS handshake.
    case notSent(String)
    /// The request went out and then the exchange broke (reset, empty reply, cut answer).
    case cut(String)
    /// The deadline passed; `sent` says whether the request had gone out.
    case timedOut(sent: Bool)
    /// The answer passed the byte cap.
    case tooLarge(limit: Int64)
    /// SIGINT or SIGTERM arrived.
    case interrupted(sent: Bool)
    /// libcurl could not be loaded.
    case unavailable(String)

    public var requestMayHaveArrived: Bool {
        switch self {
        case .notSent, .unavailable: false
        case .cut, .tooLarge: true
        case .timedOut(let sent), .interrupted(let sent): sent
        }
    }
}

/// One HTTP exchange through libcurl (loaded on first use). It never follows
/// a redirect unless asked, and is only asked for requests without credentials.
public struct HTTPExchange: Sendable {
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: Data?
    public var deadline: Deadline
    public var maxBytes: Int64
    public var followRedirects = false
    /// Give up when fewer than this many bytes a second arrive for `lowSpeedSeconds`.
    public var lowSpeedBytes = 0
    public var lowSpeedSeconds = 0

    public init(method: String, url: String, headers: [String] = [], body: Data? = nil, deadline: Deadline, maxBytes: Int64) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.deadline = deadline
        self.maxBytes = maxBytes
    }

    /// Keeps the answer in memory (at most `maxBytes`).
    public func perform() throws(HTTPFailure) -> HTTPAnswer {
        try run(sink: -1)
    }

    /// Streams the answer's body into an open file.
    public func perform(into descriptor: Int32) throws(HTTPFailure) -> HTTPAnswer {
        try run(sink: descriptor)
    }

    private func run(sink: Int32) throws(HTTPFailure) -> HTTPAnswer {
        guard cameo_http_load() != 0 else { throw .unavailable(String(cString: cameo_http_load_error())) }
        let remaining = deadline.remaining
        guard remaining > 0 else { throw .timedOut(sent: false) }
        var result = cameo_http_result()
        let payload = body ?? Data()
        let hasBody = body != nil
        let cHeaders = headers.map { strdup($0) }
        defer { cHeaders.forEach { free($0) } }
        let code: Int32 = cHeaders.map { UnsafePointer($0) }.withUnsafeBufferPointer { headerPointers in
            method.withCString { method in
                url.withCString { url in
                    payload.withUnsafeBytes { bytes in
                        var request = cameo_http_request()
                        request.method = method
                        request.url = url
                        request.headers = headerPointers.baseAddress
                        request.header_count = Int32(headerPointers.count)
                        request.body = !hasBody ? nil : bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                        request.body_length = bytes.count
                        request.timeout_ms = max(1, Int(remaining * 1000))
                        request.max_bytes = maxBytes
                        request.follow_redirects = followRedirects ? 1 : 0
                        request.sink_fd = sink
                        request.low_speed_bytes = lowSpeedBytes
                        request.low_speed_seconds = lowSpeedSeconds
                        return cameo_http_perform(&request, &result)
                    }
                }
            }
        }
        defer { cameo_http_free(&result) }
        let sent = result.request_sent != 0
        let detail = Self.text(&result.error)
        if result.interrupted != 0 { throw .interrupted(sent: sent) }
        if result.too_large != 0 { throw .tooLarge(limit: maxBytes) }
        if code != 0 {
            if code == 28 { throw .timedOut(sent: sent) }  // CURLE_OPERATION_TIMEDOUT
            throw sent ? .cut(detail) : .notSent(detail)
        }
        let received = result.body.map { Data(bytes: $0, count: result.body_length) } ?? Data()
        return HTTPAnswer(
            status: result.status, body: received, retryAfter: Self.optional(&result.retry_after),
            contentType: Self.optional(&result.content_type), location: Self.optional(&result.location),
            contentLength: result.content_length >= 0 ? result.content_length : nil)
    }

    /// "scheme://host:port" as libcurl parses `url`, so that an origin check
    /// and the request that follows it cannot disagree.
    public static func origin(of url: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        guard cameo_http_origin(url, &buffer, buffer.count) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func text<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func optional<T>(_ tuple: inout T) -> String? {
        let value = text(&tuple)
        return value.isEmpty ? nil : value
    }
}

/// SIGINT and SIGTERM, caught while a command talks to a provider so that it
/// can record what it knows before exiting with 130.
public enum Interruption {
    public static func catchSignals() { cameo_interrupts_catch() }
    public static var happened: Bool { cameo_interrupted() != 0 }

    /// Sleeps up to `seconds`, waking early when interrupted. False when interrupted.
    public static func sleep(_ seconds: Double) -> Bool {
        let deadline = Deadline(seconds: seconds)
        while !deadline.passed {
            if happened { return false }
            usleep(useconds_t(min(deadline.remaining, 0.05) * 1_000_000))
        }
        return !happened
    }
}
