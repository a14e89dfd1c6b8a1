import Foundation
import GRDB

/// A moment in whole milliseconds (UTC), written and read with integer
/// arithmetic: a time survives any number of trips through the database and
/// export files unchanged, which `Date` with a formatter does not promise.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(_ date: Date) {
        millisecondsSince1970 = Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static var now: Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// `2026-11-25T04:18:48.874Z`
    public var description: String { format(dateSeparator: "T", zone: "Z") }

    /// `2026-11-25 04:18:48.874`, the form SQLite's date functions read.
    var sqlText: String { format(dateSeparator: " ", zone: "") }

    private func format(dateSeparator: String, zone: String) -> String {
        let (days, milliseconds) = millisecondsSince1970.floorDivided(by: 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        let seconds = milliseconds / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = milliseconds % 1000
        let fractionText = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(year)-\(two(month))-\(two(day))\(dateSeparator)\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)).\(fractionText)\(zone)"
    }

    /// The most bytes `writeDescription` writes: a year of up to 20 characters, then 20 more.
    static let descriptionCapacity = 40

    /// Writes `description`'s bytes at `start` without building a string
    /// (exports write tens of thousands of times) and returns how many.
    func writeDescription(to start: UnsafeMutablePointer<UInt8>) -> Int {
        let (days, milliseconds) = millisecondsSince1970.floorDivided(by: 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        let seconds = milliseconds / 1000
        var at = start
        func put(_ byte: UInt8) {
            at.pointee = byte
            at += 1
        }
        func two(_ value: Int64) {
            put(UInt8(ascii: "0") + UInt8(value / 10))
            put(UInt8(ascii: "0") + UInt8(value % 10))
        }
        if (1000...9999).contains(year) {
            two(year / 100)
            two(year % 100)
        } else {
            for byte in "\(year)".utf8 { put(byte) }
        }
        put(UInt8(ascii: "-")); two(month)
        put(UInt8(ascii: "-")); two(day)
        put(UInt8(ascii: "T")); two(seconds / 3600)
        put(UInt8(ascii: ":")); two(seconds / 60 % 60)
        put(UInt8(ascii: ":")); two(seconds % 60)
        let fraction = milliseconds % 1000
        put(UInt8(ascii: ".")); put(UInt8(ascii: "0") + UInt8(fraction / 100)); two(fraction % 100)
        put(UInt8(ascii: "Z"))
        return at - start
    }

    /// Reads `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]`; no zone means UTC.
    public init?(parsing text: String) {
        var text = text
        guard let milliseconds = text.withUTF8(Self.milliseconds(parsing:)) else { return nil }
        millisecondsSince1970 = milliseconds
    }

    /// Read from the text's bytes in place: catalogs parse three times per character.
    static func milliseconds(parsing bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count, !range.isEmpty else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 32,
              bytes[13] == 58, bytes[16] == 58,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var milliseconds: Int64 = 0
        if index < bytes.count, bytes[index] == 46 {
            var end = index + 1
            while end < bytes.count, (48...57).contains(bytes[end]) { end += 1 }
            guard end > index + 1, let digits = number(index + 1..<min(end, index + 4)) else { return nil }
            let count = min(end, index + 4) - (index + 1)
            milliseconds = digits * (count == 1 ? 100 : count == 2 ? 10 : 1)
            index = end
        }
        var offsetSeconds: Int64 = 0
        if index < bytes.count {
            if bytes[index] == 90, index + 1 == bytes.count {  // Z
            } else if bytes[index] == 43 || bytes[index] == 45, bytes.count == index + 6, bytes[index + 3] == 58,
                      let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6) {
                offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == 43 ? 1 : -1)
            } else {
                return nil
            }
        }
        let days = Self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        guard Self.supported.contains(seconds * 1000 + milliseconds) else { return nil }
        return seconds * 1000 + milliseconds
    }

    /// Years 1000 to 9999 (UTC): the times that print as `YYYY-MM-DD…` and read back.
    static let supported: ClosedRange<Int64> =
        days(fromCivil: 1000, 1, 1) * 86_400_000...days(fromCivil: 10_000, 1, 1) * 86_400_000 - 1

    /// 28 to 31: a date such as 2026-02-30 or 2025-04-31 is no day at all, not the next month's first.
    static func days(inMonth month: Int64, of year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days-from-civil and its inverse: exact for the proleptic Gregorian calendar.
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Timestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text.prefix(40))\" is not a time: a calendar date of years 1000 to 9999 that exists, written as 2026-01-31T12:00:00.000Z")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Timestamp: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { sqlText.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Timestamp? {
        String.fromDatabaseValue(dbValue).flatMap(Timestamp.init(parsing:))
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = (self >= 0 ? self : self - divisor + 1) / divisor
        return (quotient, self - quotient * divisor)
    }
}
