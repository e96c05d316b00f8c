import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reading a Stack Exchange data dump: each file is `<table><row Attr="…"/>…</table>`. Files are
/// parsed as a stream, row by row, so a dump never has to fit in memory as a document.
enum StackExchangeDump {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Calls `row` with each row's attributes, in file order. Throws a clear error for a missing
    /// file or malformed XML (with the line).
    static func rows(in directory: URL, file name: String, _ row: ([String: String]) throws -> Void) throws {
        try withoutActuallyEscaping(row) { row in try parse(directory: directory, file: name, row) }
    }

    private static func parse(directory: URL, file name: String, _ row: @escaping ([String: String]) throws -> Void) throws {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isReadableFile(atPath: url.path), let stream = InputStream(url: url) else {
            throw Failure(
                description:
                    "\(name) is missing in \(directory.path): a Stack Exchange dump has Users.xml, Posts.xml, Comments.xml and Votes.xml.")
        }
        let reader = RowReader(row: row)
        let parser = XMLParser(stream: stream)
        parser.delegate = reader
        let parsed = parser.parse()
        if let error = reader.error { throw error }
        guard parsed else {
            throw Failure(
                description:
                    "\(name) is not a well-formed dump file (line \(parser.lineNumber)): \(parser.parserError.map { "\($0)" } ?? "unknown error")"
            )
        }
        guard reader.sawRoot else { throw Failure(description: "\(name) is empty.") }
    }

    private final class RowReader: NSObject, XMLParserDelegate {
        let row: ([String: String]) throws -> Void
        var error: (any Error)?
        var sawRoot = false

        init(row: @escaping ([String: String]) throws -> Void) {
            self.row = row
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            guard elementName == "row" else {
                sawRoot = true
                return
            }
            do {
                try row(attributes)
            } catch {
                self.error = error
                parser.abortParsing()
            }
        }
    }

    /// Dump times are UTC without a zone, with or without milliseconds.
    static func date(_ raw: String?) -> Date? {
        guard let raw else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: raw) { return date }
        }
        return nil
    }

    /// `<quantum-gate><entanglement>` → ["quantum-gate", "entanglement"].
    static func tags(_ raw: String?) -> [String] {
        guard let raw else { return [] }
        return raw.split(whereSeparator: { $0 == "<" || $0 == ">" }).map(String.init).filter { !$0.isEmpty }
    }
}

/// Turns a Stack Exchange post's HTML into the Markdown Kring stores: paragraphs, links, emphasis,
/// code, lists, quotes and headings survive; other tags are dropped and entities decoded. The
/// result goes through `UserMarkdown` like any post, so nothing in it can become live markup.
enum HTMLToMarkdown {
    static func convert(_ html: String) -> String {
        var text = html
        func replace(_ pattern: String, _ template: String) {
            text = text.replacingOccurrences(of: pattern, with: template, options: [.regularExpression, .caseInsensitive])
        }
        replace(#"<pre[^>]*>\s*<code[^>]*>([\s\S]*?)</code>\s*</pre>"#, "\n\n```\n$1\n```\n\n")
        replace(#"<code>([\s\S]*?)</code>"#, "`$1`")
        replace(#"<a [^>]*href="([^"]*)"[^>]*>([\s\S]*?)</a>"#, "[$2]($1)")
        replace(#"<img [^>]*src="([^"]*)"[^>]*alt="([^"]*)"[^>]*/?>"#, "[$2]($1)")
        replace(#"<img [^>]*src="([^"]*)"[^>]*/?>"#, "[image]($1)")
        replace(#"</?(strong|b)>"#, "**")
        replace(#"</?(em|i)>"#, "_")
        replace(#"<h[1-6][^>]*>([\s\S]*?)</h[1-6]>"#, "\n\n### $1\n\n")
        replace(#"<li[^>]*>"#, "\n- ")
        replace(#"<blockquote[^>]*>"#, "\n\n> ")
        replace(#"<br\s*/?>"#, "  \n")
        replace(#"<hr\s*/?>"#, "\n\n---\n\n")
        replace(#"</(p|div|ul|ol|blockquote|table|tr)>"#, "\n\n")
        replace(#"<[^>]+>"#, "")
        text = decodeEntities(text)
        replace(#"\n{3,}"#, "\n\n")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func decodeEntities(_ text: String) -> String {
        var result = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&nbsp;", " ")] {
            result = result.replacingOccurrences(of: entity, with: character)
        }
        // Numeric references, then the ampersand last so "&amp;lt;" stays "&lt;".
        if let regex = try? NSRegularExpression(pattern: "&#(x?)([0-9a-fA-F]+);") {
            let matches = regex.matches(in: result, range: NSRange(result.startIndex..., in: result)).reversed()
            for match in matches {
                guard let whole = Range(match.range, in: result), let hex = Range(match.range(at: 1), in: result),
                    let digits = Range(match.range(at: 2), in: result),
                    let value = UInt32(result[digits], radix: result[hex].isEmpty ? 10 : 16), let scalar = Unicode.Scalar(value)
                else { continue }
                result.replaceSubrange(whole, with: String(Character(scalar)))
            }
        }
        return result.replacingOccurrences(of: "&amp;", with: "&")
    }
}
