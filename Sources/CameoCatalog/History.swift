import CameoText
import Foundation
import GRDB

/// A submission as `export --history` writes it and `import` reads it back:
/// the character it belonged to by alias (row ids differ between catalogs),
/// the request and the answer as stored, byte for byte.
public struct ExchangedSubmission: Codable, Equatable, Sendable {
    @NullEncoded public var alias: String?
    public var kind: SubmissionKind
    public var endpoint: String
    @NullEncoded public var provider: String?
    public var requestBody: String
    public var state: SubmissionState
    @NullEncoded public var taskStatus: String?
    @NullEncoded public var providerStatus: String?
    @NullEncoded public var httpStatus: Int?
    @NullEncoded public var responseBody: String?
    @NullEncoded public var taskId: String?
    @NullEncoded public var error: String?
    @NullEncoded public var downloadPath: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case alias, kind, endpoint, provider, state, error
        case requestBody = "request_body", taskStatus = "task_status", providerStatus = "provider_status"
        case httpStatus = "http_status", responseBody = "response_body", taskId = "task_id", downloadPath = "download_path"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    /// The row it becomes in a catalog where its character has id `characterId`:
    /// the way back of `init(_:alias:)`, for every store's import.
    func submission(characterId: Int64?) -> Submission {
        var submission = Submission(kind: kind, characterId: characterId, endpoint: endpoint, provider: provider,
                                    requestBody: requestBody, state: state, at: createdAt)
        submission.taskStatus = taskStatus
        submission.providerStatus = providerStatus
        submission.httpStatus = httpStatus
        submission.responseBody = responseBody
        submission.taskId = taskId
        submission.error = error
        submission.downloadPath = downloadPath
        submission.updatedAt = updatedAt
        return submission
    }

    public init(_ submission: Submission, alias: String?) {
        self.alias = alias
        kind = submission.kind
        endpoint = submission.endpoint
        provider = submission.provider
        requestBody = submission.requestBody
        state = submission.state
        taskStatus = submission.taskStatus
        providerStatus = submission.providerStatus
        httpStatus = submission.httpStatus
        responseBody = submission.responseBody
        taskId = submission.taskId
        error = submission.error
        downloadPath = submission.downloadPath
        createdAt = submission.createdAt
        updatedAt = submission.updatedAt
    }

    /// The same members as the encoder writes, for documents streamed through `PrettyJSON`.
    public var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "alias": text(alias), "kind": .string(kind.rawValue), "endpoint": .string(endpoint), "provider": text(provider),
            "request_body": .string(requestBody), "state": .string(state.rawValue), "task_status": text(taskStatus),
            "provider_status": text(providerStatus), "http_status": httpStatus.map { .number(Double($0)) } ?? .null,
            "response_body": text(responseBody), "task_id": text(taskId), "error": text(error),
            "download_path": text(downloadPath), "created_at": .string(createdAt.description),
            "updated_at": .string(updatedAt.description),
        ])
    }
}

extension Catalog {
    /// Every submission, oldest first, with the alias of its character.
    public func exchangedSubmissions() throws(CatalogError) -> [ExchangedSubmission] {
        try read { db in
            var aliases: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, alias FROM character WHERE id IN (SELECT characterId FROM submission)") {
                aliases[row[0]] = row[1]
            }
            return try SubmissionRecord.order(SubmissionRecord.Columns.id).fetchAll(db).map(\.value).map { submission in
                ExchangedSubmission(submission, alias: submission.characterId.flatMap { aliases[$0] })
            }
        }
    }

    /// Adds submissions of an export, each attached to the character of its
    /// alias (or none). One the catalog already holds (same endpoint, body and
    /// creation time) is passed over, so importing the same file twice adds
    /// nothing the second time. Returns how many were added.
    static func importSubmissions(_ submissions: [ExchangedSubmission], _ db: Database) throws -> Int {
        var added = 0
        for exchanged in submissions {
            let known = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM submission WHERE endpoint = ? AND requestBody = ? AND createdAt = ?)
                """, arguments: [exchanged.endpoint, exchanged.requestBody, exchanged.createdAt]) ?? false
            if known { continue }
            let characterId = try exchanged.alias.flatMap {
                try CharacterRecord.id(aliasKey: NameKey.of($0), db)
            }
            var record = SubmissionRecord(exchanged.submission(characterId: characterId))
            try record.insert(db)
            added += 1
        }
        return added
    }
}

extension PrettyJSON {
    /// Ends a catalog document whose characters are written, with the submissions of `export --history`.
    public mutating func catalogDocumentEnd(submissions: [ExchangedSubmission], version: Int = CatalogDocument.currentVersion) {
        endArray()
        key("submissions")
        beginArray()
        for submission in submissions {
            element()
            value(submission.json)
        }
        endArray()
        key("version")
        integer(Int64(version))
        endObject()
    }
}
