import Foundation

/// Writes a ZIP archive (PKWARE APPNOTE 6.3) with its entries stored, not compressed: enough for
/// data exports, readable by every unzip tool and the operating systems' own, and small to keep.
/// Names are UTF-8 (general purpose flag bit 11). Archives stay under 4 GiB (no ZIP64).
public struct ZipArchive {
    private var body = Data()
    private var directory = Data()
    private var count: UInt16 = 0
    private let modified: (time: UInt16, date: UInt16)

    /// Every entry gets `modified` as its time stamp, in UTC.
    public init(modified: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        let year = max(0, (parts.year ?? 1980) - 1980)
        self.modified = (
            UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2),
            UInt16(year << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        )
    }

    public mutating func add(_ path: String, _ contents: Data) {
        let name = Data(path.utf8)
        let crc = CRC32.checksum(contents)
        let offset = UInt32(body.count)
        var local = Data()
        local.append(le32: 0x0403_4b50)
        local.append(le16: 20)  // version needed: 2.0
        local.append(le16: 1 << 11)  // UTF-8 names
        local.append(le16: 0)  // stored
        local.append(le16: modified.time)
        local.append(le16: modified.date)
        local.append(le32: crc)
        local.append(le32: UInt32(contents.count))
        local.append(le32: UInt32(contents.count))
        local.append(le16: UInt16(name.count))
        local.append(le16: 0)
        body.append(local)
        body.append(name)
        body.append(contents)

        directory.append(le32: 0x0201_4b50)
        directory.append(le16: 0x031e)  // made by: Unix, 3.0
        directory.append(local[4..<30])
        directory.append(le16: 0)  // comment length
        directory.append(le16: 0)  // disk number
        directory.append(le16: 0)  // internal attributes
        directory.append(le32: 0o100644 << 16)  // a regular file, rw-r--r--
        directory.append(le32: offset)
        directory.append(name)
        count += 1
    }

    /// The finished archive.
    public var data: Data {
        var end = Data()
        end.append(le32: 0x0605_4b50)
        end.append(le16: 0)
        end.append(le16: 0)
        end.append(le16: count)
        end.append(le16: count)
        end.append(le32: UInt32(directory.count))
        end.append(le32: UInt32(body.count))
        end.append(le16: 0)
        return body + directory + end
    }
}

/// The CRC-32 of ZIP and PNG (polynomial 0xEDB88320).
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

extension Data {
    fileprivate mutating func append(le16 value: UInt16) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    fileprivate mutating func append(le32 value: UInt32) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
}
