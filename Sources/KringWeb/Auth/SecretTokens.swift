import Crypto
import Foundation

/// Random secrets handed to people (session cookies, API tokens, e-mailed links) and the hashes
/// under which the database keeps them, so a leaked database does not leak live credentials.
enum SecretToken {
    /// 32 random bytes as URL-safe base64 without padding, optionally with a readable prefix.
    static func generate(prefix: String = "") -> String {
        // Four words of the system's generator: drawing byte by byte asked the kernel 32 times.
        var generator = SystemRandomNumberGenerator()
        var bytes = Data(capacity: 32)
        for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return prefix + bytes.base64URLEncoded()
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }

    /// HMAC-SHA256 of `message` under `key`, URL-safe base64.
    static func sign(_ message: String, key: SymmetricKey) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)).base64URLEncoded()
    }

    /// Compares two strings in time that does not depend on where they differ.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

extension Data {
    /// URL-safe base64 without padding (RFC 4648 §5), mapped byte by byte.
    func base64URLEncoded() -> String {
        var encoded = Array(base64EncodedString().utf8)
        while encoded.last == UInt8(ascii: "=") { encoded.removeLast() }
        for index in encoded.indices {
            if encoded[index] == UInt8(ascii: "+") {
                encoded[index] = UInt8(ascii: "-")
            } else if encoded[index] == UInt8(ascii: "/") {
                encoded[index] = UInt8(ascii: "_")
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

extension Digest {
    var hexString: String { hexEncoded(self) }
}

/// Lowercase hexadecimal of `bytes` (a session lookup hashes its cookie on every request).
func hexEncoded(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}
