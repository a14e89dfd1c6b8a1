import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to the provider over HTTP. A POST may create a paid task, so it is
/// retried only when the request surely did not arrive (connection refused)
/// or the provider asked for it (429 or 503 with Retry-After), a few times.
public struct ProviderClient: Sendable {
    public var baseURL: URL
    public var apiKey: String
    public var timeout: TimeInterval
    public var attempts: Int
    /// The first wait after a refused connection; it doubles each time.
    public var backoff: TimeInterval
    /// The longest Retry-After cameo will honour.
    public var longestWait: TimeInterval

    public static let generationsPath = "/v2/videos/generations"

    public init(baseURL: URL, apiKey: String, timeout: TimeInterval = 60, attempts: Int = 3, backoff: TimeInterval = 0.5,
                longestWait: TimeInterval = 30) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.longestWait = longestWait
    }

    public var generationsURL: URL { endpoint(Self.generationsPath) }

    public func endpoint(_ path: String) -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + (path.hasPrefix("/") ? path : "/" + path)) ?? baseURL
    }

    /// POSTs a generation request body.
    public func submit(_ body: Data) async throws(APIError) -> ProviderResponse {
        var request = URLRequest(url: generationsURL)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        return try await send(request)
    }

    /// GETs a task, at `path` with `{id}` standing for the task id.
    public func status(of taskId: String, path: String) async throws(APIError) -> ProviderResponse {
        let escaped = taskId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? taskId
        var request = URLRequest(url: endpoint(path.replacingOccurrences(of: "{id}", with: escaped)))
        request.httpMethod = "GET"
        return try await send(request)
    }

    private func send(_ original: URLRequest) async throws(APIError) -> ProviderResponse {
        var request = original
        request.timeoutInterval = timeout
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("cameo", forHTTPHeaderField: "User-Agent")
        let address = original.url?.absoluteString ?? baseURL.absoluteString
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 2
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }

        var wait = backoff
        for attempt in 1...attempts {
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await session.data(for: request)
            } catch let error as URLError where error.code == .cannotConnectToHost && attempt < attempts {
                try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                wait *= 2
                continue
            } catch let error as URLError {
                switch error.code {
                case .timedOut: throw .timedOut(address, seconds: timeout)
                case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
                    throw .unreachable(address, detail: mask(error.localizedDescription))
                default: throw .unreachable(address, detail: mask(error.localizedDescription))
                }
            } catch {
                throw .unreachable(address, detail: mask("\(error)"))
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            if [429, 503].contains(status), attempt < attempts,
               let retryAfter = (response as? HTTPURLResponse).flatMap({ Self.retryAfter($0.value(forHTTPHeaderField: "Retry-After")) }),
               retryAfter <= longestWait {
                try? await Task.sleep(nanoseconds: UInt64(retryAfter * 1_000_000_000))
                continue
            }
            return ProviderResponse(status: status, body: mask(String(decoding: data, as: UTF8.self)))
        }
        throw .unreachable(address, detail: "no attempt was made")
    }

    /// Seconds from a Retry-After header: a number, or an HTTP date.
    public static func retryAfter(_ header: String?) -> TimeInterval? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = TimeInterval(header) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// The key never leaves through an answer a server echoed back.
    public func mask(_ text: String) -> String {
        apiKey.isEmpty ? text : text.replacingOccurrences(of: apiKey, with: "***")
    }

    /// Turns an answer into the task id, or into an explained error.
    public static func taskId(from response: ProviderResponse) throws(APIError) -> String {
        if let problem = response.problem {
            throw .provider(problem, status: response.status, message: response.error.message)
        }
        guard (200..<300).contains(response.status) else {
            if response.json == nil {
                throw .notJSON(status: response.status, snippet: snippet(response.body))
            }
            let (code, message) = response.error
            throw .http(status: response.status, message: [code, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": "))
        }
        guard response.json != nil else { throw .notJSON(status: response.status, snippet: snippet(response.body)) }
        guard let taskId = response.taskId else { throw .noTaskId(status: response.status) }
        return taskId
    }

    static func snippet(_ body: String) -> String {
        let flat = body.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return flat.isEmpty ? "(empty)" : String(flat.prefix(200)) + (flat.count > 200 ? "…" : "")
    }
}
