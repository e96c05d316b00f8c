import Crypto
import Foundation

/// Random secrets handed to people (session cookies, API tokens, e-mailed links) and the hashes
/// under which the database keeps them, so a leaked database does not leak live credentials.
enum SecretToken {
    /// 32 random bytes as URL-safe base64 without padding, optionally with a readable prefix.
    static func generate(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64URLEncoded()
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
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Digest {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
