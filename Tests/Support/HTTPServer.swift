import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP/1.1 server on 127.0.0.1 for tests: it records every request
/// and answers as the test says (status, headers, body, delays, byte ranges).
public final class HTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: Data

        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
        /// Seconds to wait before answering.
        public var delay: Double = 0
        /// Close the connection without answering.
        public var hangUp = false
        /// Send the body this many bytes at a time, pausing `pace` seconds between pieces.
        public var piece = 0
        public var pace = 0.0
        /// Close the connection once the body is sent (with a Content-Length header larger than the body: a cut answer).
        public var closeAfterBody = false
        /// After the body, send these bytes again and again until the client hangs up
        /// (a stream that never ends: no Content-Length, the connection closes after).
        public var endless: Data?

        public init(status: Int = 200, headers: [(String, String)] = [], body: Data = Data(), delay: Double = 0) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }

        public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8))
        }

        public static func text(_ text: String, status: Int, contentType: String = "text/plain") -> Response {
            Response(status: status, headers: [("Content-Type", contentType)], body: Data(text.utf8))
        }

        public static var hangingUp: Response {
            var response = Response()
            response.hangUp = true
            return response
        }

        /// A file, honouring `Range: bytes=…` when `ranges` is true (as a CDN does), ignoring it otherwise.
        public static func file(_ path: String, request: Request, ranges: Bool, contentType: String = "video/mp4") -> Response {
            guard let data = FileManager.default.contents(atPath: path) else { return .text("not found", status: 404) }
            guard ranges else { return Response(headers: [("Content-Type", contentType)], body: data) }
            var headers = [("Content-Type", contentType), ("Accept-Ranges", "bytes")]
            if let range = request.header("range"), range.hasPrefix("bytes=") {
                let bounds = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
                let start = Int(bounds.first ?? "") ?? 0
                let end = bounds.count > 1 && !bounds[1].isEmpty ? min(Int(bounds[1]) ?? data.count - 1, data.count - 1) : data.count - 1
                guard start < data.count, start <= end else {
                    return Response(status: 416, headers: [("Content-Range", "bytes */\(data.count)")])
                }
                headers.append(("Content-Range", "bytes \(start)-\(end)/\(data.count)"))
                return Response(status: 206, headers: headers, body: data.subdata(in: start..<(end + 1)))
            }
            return Response(headers: headers, body: data)
        }
    }

    public let port: UInt16
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var stopped = false

    public init(handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError("socket() failed") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else { close(descriptor); throw ServerError("bind/listen failed") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: actual.sin_port)
        // The accept thread holds the server weakly, so a server a test forgets to stop
        // still goes away (its deinit closes the socket and the thread ends).
        let thread = Thread { [weak self, descriptor] in
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { return }
                guard let server = self else { close(connection); return }
                Thread { server.serve(connection) }.start()
            }
        }
        thread.start()
    }

    deinit {
        stop()
    }

    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if wasRunning {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    public var requests: [Request] {
        lock.withLock { recorded }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer = Data()
        while let request = readRequest(connection, buffer: &buffer) {
            lock.withLock { recorded.append(request) }
            let response = handler(request)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            if response.hangUp { return }
            var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            var names = Set<String>()
            for (name, value) in response.headers {
                head += "\(name): \(value)\r\n"
                names.insert(name.lowercased())
            }
            if !names.contains("content-length"), response.endless == nil { head += "Content-Length: \(response.body.count)\r\n" }
            let closing = request.header("connection")?.lowercased() == "close" || response.endless != nil
            if closing { head += "Connection: close\r\n" }
            head += "\r\n"
            guard send(connection, Data(head.utf8)) else { return }
            if request.method != "HEAD" {
                if response.piece > 0 {
                    var offset = 0
                    while offset < response.body.count {
                        let end = min(offset + response.piece, response.body.count)
                        guard send(connection, response.body.subdata(in: offset..<end)) else { return }
                        offset = end
                        if response.pace > 0 { Thread.sleep(forTimeInterval: response.pace) }
                    }
                } else if !send(connection, response.body) {
                    return
                }
                if let endless = response.endless, !endless.isEmpty {
                    while send(connection, endless) {}
                    return
                }
            }
            if closing || response.closeAfterBody { return }
        }
    }

    private func send(_ connection: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(connection, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    private func readRequest(_ connection: Int32, buffer: inout Data) -> Request? {
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil {
            guard let chunk = receive(connection) else { return nil }
            buffer.append(chunk)
        }
        guard let headEnd = buffer.range(of: separator) else { return nil }
        let head = String(decoding: buffer[buffer.startIndex..<headEnd.lowerBound], as: UTF8.self)
        buffer = Data(buffer[headEnd.upperBound...])
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard let chunk = receive(connection) else { return nil }
            buffer.append(chunk)
        }
        let body = Data(buffer.prefix(length))
        buffer = Data(buffer.dropFirst(length))
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ connection: Int32) -> Data? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(connection, &chunk, chunk.count, 0)
        return count > 0 ? Data(chunk[0..<count]) : nil
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 206: "Partial Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 416: "Range Not Satisfiable"
        case 429: "Too Many Requests"
        case 451: "Unavailable For Legal Reasons"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
