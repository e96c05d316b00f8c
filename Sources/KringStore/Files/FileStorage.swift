import Foundation

/// Where uploaded files live. Kring keeps them under the data directory (`LocalFileStorage`); another
/// backend (an object store, a shared volume) implements the same three operations.
public protocol FileStorage: Sendable {
    /// Stores `data` under `key`, replacing nothing: keys are fresh for every upload.
    func write(_ data: Data, key: String) async throws
    func read(key: String) async throws -> Data
    /// Removes the file; a missing file is not an error.
    func remove(key: String) async throws
    /// A path on this machine to stream the file from, when the backend has one.
    func localPath(for key: String) -> String?
}

/// Files under one directory, written to a temporary name and renamed, so a crash never leaves a
/// half-written file under a real key.
public struct LocalFileStorage: FileStorage {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// Keys are made of letters, digits, dashes and slashes only; anything else would escape the root.
    func url(for key: String) throws -> URL {
        guard !key.isEmpty, !key.contains(".."), key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "/") }),
            !key.hasPrefix("/")
        else { throw FileStorageError.invalidKey }
        return root.appendingPathComponent(key)
    }

    public func write(_ data: Data, key: String) async throws {
        let target = try url(for: key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".upload-\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    public func read(key: String) async throws -> Data {
        try Data(contentsOf: try url(for: key))
    }

    public func remove(key: String) async throws {
        let target = try url(for: key)
        guard FileManager.default.fileExists(atPath: target.path) else { return }
        try FileManager.default.removeItem(at: target)
    }

    public func localPath(for key: String) -> String? {
        try? url(for: key).path
    }
}

public enum FileStorageError: Error, Sendable {
    case invalidKey
}
