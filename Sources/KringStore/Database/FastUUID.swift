import Foundation
import SQLKit

extension UUID {
    /// Parses the 36-character text form (either case) byte by byte. Foundation's
    /// `UUID(uuidString:)` goes through `sscanf`, which was most of the time of reading a hundred
    /// thousand member ids from SQLite (it hands UUIDs over as text).
    init?(fastText text: String) {
        var text = text
        let parsed: UUID?? = text.withUTF8 { bytes -> UUID?? in
            guard bytes.count == 36 else { return .some(nil) }
            var value = [UInt8](repeating: 0, count: 16)
            var index = 0
            var high: UInt8?
            for (position, byte) in bytes.enumerated() {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard byte == 45 else { return .some(nil) }
                    continue
                }
                let nibble: UInt8
                switch byte {
                case 48...57: nibble = byte - 48
                case 65...70: nibble = byte - 55
                case 97...102: nibble = byte - 87
                default: return .some(nil)
                }
                if let first = high {
                    value[index] = first << 4 | nibble
                    index += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return .some(
                UUID(
                    uuid: (
                        value[0], value[1], value[2], value[3], value[4], value[5], value[6], value[7], value[8], value[9], value[10],
                        value[11], value[12], value[13], value[14], value[15]
                    )))
        }
        guard let uuid = parsed.flatMap({ $0 }) else { return nil }
        self = uuid
    }
}

extension SQLRow {
    /// A UUID column read quickly where the database hands it over as text (SQLite), natively elsewhere.
    func decodeUUID(column: String) throws -> UUID {
        if let text = try? decode(column: column, as: String.self), let uuid = UUID(fastText: text) { return uuid }
        return try decode(column: column, as: UUID.self)
    }
}

extension SQLDatabase {
    /// A fresh random id made by the database, in the form Fluent stores ids (PostgreSQL's `uuid`;
    /// on SQLite the upper-case text), for rows written by `INSERT … SELECT` without a trip through Swift.
    var newUUIDExpression: SQLQueryString {
        dialect.name == "postgresql"
            ? "gen_random_uuid()"
            : """
            (substr(hex(randomblob(4)), 1, 8) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' \
            || substr('89AB', 1 + (random() & 3), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
            """
    }
}
