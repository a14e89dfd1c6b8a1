import Foundation
import GRDB

extension Catalog {
    /// Records a submission before it is sent, so that a crash mid-request
    /// still leaves a trace of a task that may have been paid for. It is
    /// stamped with the time of the transaction.
    public func record(_ submission: Submission) throws(CatalogError) -> Submission {
        try write { db in
            var inserted = SubmissionRecord(submission)
            inserted.value.createdAt = try db.transactionTime
            inserted.value.updatedAt = inserted.value.createdAt
            try inserted.insert(db)
            return inserted.value
        }
    }

    /// Stores what became of a submission.
    public func update(_ submission: Submission) throws(CatalogError) {
        try write { db in
            var changed = SubmissionRecord(submission)
            changed.value.updatedAt = try db.transactionTime
            try changed.update(db)
        }
    }

    /// The newest submission that got this task id back.
    public func submission(taskId: String) throws(CatalogError) -> Submission? {
        try read { db in
            try SubmissionRecord.filter(SubmissionRecord.Columns.taskId == taskId).newestFirst().fetchOne(db)?.value
        }
    }

    public func submission(id: Int64) throws(CatalogError) -> Submission {
        let found = try read { db in try SubmissionRecord.fetchOne(db, key: id)?.value }
        guard let found else { throw .unknownSubmission(id) }
        return found
    }
}

extension Catalog {
    /// The newest submission that has a task to follow.
    public func newestSubmissionWithTask() throws(CatalogError) -> Submission? {
        try read { db in
            try SubmissionRecord.filter(SubmissionRecord.Columns.taskId != nil).newestFirst().fetchOne(db)?.value
        }
    }

    /// Newest first, only those in `state`.
    public func submissions(limit: Int?, state: SubmissionState?) throws(CatalogError) -> [Submission] {
        try read { db in
            var request = SubmissionRecord.all().newestFirst()
            if let state {
                request = state == .unknown
                    // A row still `sending` belongs to a process that ended without an outcome: unknown.
                    ? request.filter([SubmissionState.unknown.rawValue, SubmissionState.sending.rawValue].contains(SubmissionRecord.Columns.state))
                    : request.filter(SubmissionRecord.Columns.state == state.rawValue)
            }
            return try request.limit(limit ?? Int.max).fetchAll(db).map(\.value)
        }
    }
}
