import Foundation

/// Talks to the provider. Every call goes to the provider's own origin with
/// the key and follows no redirect (a 30x is reported with its target). A POST
/// may create a paid task, so it is retried only when the request surely did
/// not leave (nothing written) or the provider asked for it (429 or 503 with a
/// short Retry-After); a GET is safe and is retried on any network failure.
/// Everything happens within `timeout` seconds, waits included.
public struct ProviderClient: Sendable {
    public var baseURL: URL
    public var timeout: TimeInterval
    public var attempts: Int
    /// The first wait after a connection that failed before sending; it doubles each time.
    public var backoff: TimeInterval
    /// The longest Retry-After cameo will honour.
    public var longestWait: TimeInterval
    /// Answers longer than this are cut off: no provider sends a task answer this big.
    public var answerLimit: Int64 = 4 << 20
    public let mask: KeyMask
    private let apiKey: String
    private let origin: String?

    public static let generationsPath = "/v2/videos/generations"

    public init(baseURL: URL, apiKey: String, timeout: TimeInterval = 60, attempts: Int = 3, backoff: TimeInterval = 0.5,
                longestWait: TimeInterval = 30) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.longestWait = longestWait
        mask = KeyMask(key: apiKey)
        origin = HTTPExchange.origin(of: baseURL.absoluteString)
    }

    public var generationsURL: URL { endpoint(Self.generationsPath) }

    public func endpoint(_ path: String) -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + (path.hasPrefix("/") ? path : "/" + path)) ?? baseURL
    }

    /// `path` with `{id}` replaced by the escaped id.
    public func endpoint(_ path: String, id: String) -> URL {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
        return endpoint(path.replacingOccurrences(of: "{id}", with: escaped))
    }

    /// POSTs a JSON body (a generation, or a character) to `path`.
    public func post(_ body: Data, to path: String = generationsPath) throws(APIError) -> ProviderResponse {
        try exchange(method: "POST", url: endpoint(path), body: body, deadline: Deadline(seconds: timeout))
    }

    /// GETs a task, at `path` with `{id}` standing for the task id.
    public func status(of taskId: String, path: String, deadline: Deadline? = nil) throws(APIError) -> ProviderResponse {
        try exchange(method: "GET", url: endpoint(path, id: taskId), body: nil, deadline: deadline ?? Deadline(seconds: timeout))
    }

    private func exchange(method: String, url: URL, body: Data?, deadline: Deadline) throws(APIError) -> ProviderResponse {
        let address = url.absoluteString
        // The key goes to the provider's origin only, as libcurl itself reads the URL.
        guard let origin, HTTPExchange.origin(of: address) == origin else {
            throw .foreignOrigin(mask.mask(address), expected: origin ?? baseURL.absoluteString)
        }
        var headers = ["Authorization: Bearer \(apiKey)", "Accept: application/json", "User-Agent: cameo"]
        if body != nil { headers.append("Content-Type: application/json") }
        let request = HTTPExchange(method: method, url: address, headers: headers, body: body, deadline: deadline, maxBytes: answerLimit)
        let retriesAnyFailure = method == "GET"
        var wait = backoff
        for attempt in 1...attempts {
            let last = attempt == attempts
            let answer: HTTPAnswer
            do {
                answer = try request.perform()
            } catch {
                let mayRetry = !last && (retriesAnyFailure ? !Self.isInterruption(error) : !error.requestMayHaveArrived && Self.isNetwork(error))
                if mayRetry, wait < deadline.remaining {
                    guard Interruption.sleep(wait) else { throw .interrupted(sent: method == "POST" && error.requestMayHaveArrived) }
                    wait *= 2
                    continue
                }
                throw APIError(error, address: address, method: method, seconds: timeout, mask: mask)
            }
            if (300..<400).contains(answer.status) {
                throw .redirected(status: answer.status, from: address, to: mask.mask(answer.location ?? "(no Location header)"))
            }
            if [429, 503].contains(answer.status), !last, let seconds = Self.retryAfter(answer.retryAfter),
               seconds <= longestWait, seconds < deadline.remaining {
                // The provider refused that attempt (429/503), so no task is pending from it.
                guard Interruption.sleep(seconds) else { throw .interrupted(sent: false) }
                continue
            }
            var response = ProviderResponse(status: answer.status, raw: answer.body, mask: mask)
            response.retryAfterSeconds = Self.retryAfter(answer.retryAfter)
            return response
        }
        throw .unreachable(address, detail: "no attempt was made")
    }

    private static func isInterruption(_ failure: HTTPFailure) -> Bool {
        if case .interrupted = failure { return true }
        return false
    }

    private static func isNetwork(_ failure: HTTPFailure) -> Bool {
        if case .notSent = failure { return true }
        return false
    }

    /// Seconds from a Retry-After header: whole seconds, or an HTTP date. Anything
    /// else (negative, fractional, `inf`, words) is ignored, as if absent.
    public static func retryAfter(_ header: String?) -> TimeInterval? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if header.allSatisfy(\.isASCII) && header.allSatisfy(\.isNumber) {
            return header.count > 9 ? .greatestFiniteMagnitude : TimeInterval(header)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// Turns an answer into the task id, or into an explained error.
    public static func taskId(from response: ProviderResponse) throws(APIError) -> String {
        try response.requireSuccess()
        guard let taskId = response.taskId else { throw .noTaskId(status: response.status) }
        return taskId
    }

    static func snippet(_ body: String) -> String {
        let flat = body.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return flat.isEmpty ? "(empty)" : String(flat.prefix(200)) + (flat.count > 200 ? "…" : "")
    }
}

extension ProviderResponse {
    /// The one reading of an answer's success that `send`, `status` and `create` share:
    /// a known refusal explained, any other error with the provider's words, a body that must be JSON.
    public func requireSuccess() throws(APIError) {
        if let problem {
            throw .provider(problem, status: status, message: error.message)
        }
        guard (200..<300).contains(status) else {
            if json == nil {
                throw .notJSON(status: status, snippet: ProviderClient.snippet(body))
            }
            let (code, message) = error
            throw .http(status: status, message: [code, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": "))
        }
        guard json != nil else { throw .notJSON(status: status, snippet: ProviderClient.snippet(body)) }
    }
}
